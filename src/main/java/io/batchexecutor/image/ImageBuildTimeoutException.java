package io.batchexecutor.image;

/** A build ran longer than its time-out and was stopped. */
public class ImageBuildTimeoutException extends ImageBuildException {

  public ImageBuildTimeoutException(String message, String buildLog) {
    super(message, buildLog);
  }
}
