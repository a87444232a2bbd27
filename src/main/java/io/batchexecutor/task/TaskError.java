package io.batchexecutor.task;

/**
 * Why a task failed: the Python exception raised by the user's function, or the service's own
 * account of an infrastructure failure.
 *
 * @param type the exception type (e.g. {@code ValueError}) or kind of failure
 * @param message its message
 * @param traceback the Python traceback, when there is one
 */
public record TaskError(String type, String message, String traceback) {

  public TaskError {
    type = StorableText.of(type);
    message = StorableText.of(message);
    traceback = StorableText.of(traceback);
  }
}
