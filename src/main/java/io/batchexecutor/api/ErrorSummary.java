package io.batchexecutor.api;

import io.batchexecutor.task.TaskError;

/**
 * Why a task failed, as a task's view carries it: the exception's type and the beginning of its
 * message, never more than {@value #MAX_MESSAGE} characters of it and no traceback. The whole
 * stored error, traceback included, is at {@code GET /api/v1/tasks/{id}/error}: a listing of two
 * hundred failed tasks stays small whatever their functions raised.
 *
 * @param type the exception type (e.g. {@code ValueError}) or kind of failure
 * @param message the beginning of its message
 * @param messageTruncated whether the message goes on at {@code /error}
 * @param hasTraceback whether {@code /error} has a traceback
 */
public record ErrorSummary(
    String type, String message, boolean messageTruncated, boolean hasTraceback) {

  /** The most characters of a message that a task's view carries. */
  static final int MAX_MESSAGE = 8_192;

  static ErrorSummary of(TaskError error) {
    if (error == null) {
      return null;
    }
    String message = error.message();
    boolean truncated = message != null && message.length() > MAX_MESSAGE;
    return new ErrorSummary(
        error.type(),
        truncated ? TaskError.head(message, MAX_MESSAGE) : message,
        truncated,
        error.traceback() != null && !error.traceback().isEmpty());
  }
}
