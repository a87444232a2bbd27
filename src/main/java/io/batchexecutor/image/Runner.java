package io.batchexecutor.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The runner every task image carries: it reads the call, runs it and writes its outcome. */
public final class Runner {

  private Runner() {}

  /** The runner's source, {@code runner/runner.py} on the class path. */
  public static byte[] script() {
    try (InputStream in = Runner.class.getResourceAsStream("/runner/runner.py")) {
      if (in == null) {
        throw new IllegalStateException("runner/runner.py is missing from the class path");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
