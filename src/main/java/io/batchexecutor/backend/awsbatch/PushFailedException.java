package io.batchexecutor.backend.awsbatch;

/** The registry refused the push; the message carries what it said. */
public class PushFailedException extends RuntimeException {

  public PushFailedException(String message) {
    super(message);
  }
}
