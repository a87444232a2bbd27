package io.batchexecutor.task;

/** An idempotency key was used again with a different request. */
public class IdempotencyConflictException extends RuntimeException {

  public IdempotencyConflictException(String key) {
    super(
        "the Idempotency-Key '"
            + key
            + "' was used before with a different request; use a new key for a new task");
  }
}
