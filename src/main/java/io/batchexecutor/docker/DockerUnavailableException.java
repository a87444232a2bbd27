package io.batchexecutor.docker;

/** No Docker engine answered; the message says what to start. */
public class DockerUnavailableException extends RuntimeException {

  public DockerUnavailableException(Throwable cause) {
    super(
        "no Docker engine answers ("
            + DockerFailures.describe(cause)
            + "); start dockerd or set DOCKER_HOST",
        cause);
  }
}
