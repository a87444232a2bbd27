package io.batchexecutor.api;

import jakarta.servlet.ReadListener;

/**
 * Reads nothing: {@link ReadBodyFirst} leaves the body of a call that will be refused where it is,
 * and closes the connection instead of draining it.
 */
final class ReadNothing implements ReadListener {
  @Override
  public void onDataAvailable() {}

  @Override
  public void onAllDataRead() {}

  @Override
  public void onError(Throwable t) {}
}
