package io.batchexecutor.image;

/** The engine refused to build a task image; the message is the build's own error. */
public class ImageBuildException extends RuntimeException {

  private final String buildLog;

  public ImageBuildException(String message, String buildLog) {
    super(message);
    this.buildLog = buildLog;
  }

  /** Everything the build printed. */
  public String buildLog() {
    return buildLog;
  }
}
