package io.batchexecutor.backend;

import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskError;
import java.time.Instant;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** Records what the runner's {@code result.json} says, the same way on every backend. */
public final class RunnerOutcome {

  private RunnerOutcome() {}

  /** Whether the runner's document says the function returned. */
  public static boolean returned(JsonNode document) {
    return document != null && document.path("ok").asBoolean(false);
  }

  /** Whether the runner's document carries the function's exception. */
  public static boolean raised(JsonNode document) {
    return document != null && document.has("error");
  }

  /**
   * The errors the runner reports for itself, before the function runs: the payload or an input
   * does not match the SHA-256 the service gave it. Final, like the function raising (exit code
   * 65), and the reason is the runner's own sentence, naming what it refused.
   */
  public static final Set<String> REFUSALS = Set.of("PayloadAltered", "InputAltered");

  /** Whether the runner's document says it refused its payload or an input. */
  public static boolean refused(JsonNode document) {
    return raised(document) && REFUSALS.contains(document.get("error").path("type").asString());
  }

  /** The most characters of an exception's message that a task's status reason repeats. */
  static final int REASON_MESSAGE = 500;

  /**
   * The start of a message, for the status reason: its first line, at most {@value #REASON_MESSAGE}
   * characters. The message itself is kept whole (up to its bound) in the error.
   */
  static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    String line = newline < 0 ? message : message.substring(0, newline);
    if (line.length() > REASON_MESSAGE) {
      return line.substring(0, REASON_MESSAGE) + "…";
    }
    return newline < 0 ? line : line + " …";
  }

  /**
   * Fails {@code task} with the Python exception (or the runner's refusal) in {@code document}: its
   * status reason names the exception with the start of its message, and the error keeps the
   * message and the traceback.
   */
  public static void failRaised(
      Task task, JsonNode document, Integer exitCode, String pointer, Instant at) {
    JsonNode error = document.get("error");
    TaskError taskError =
        new TaskError(
            error.path("type").asString(),
            error.path("message").asString(),
            error.path("traceback").asString());
    task.fail(
        refused(document)
            ? firstLine(taskError.message())
            : "the function raised " + taskError.type() + ": " + firstLine(taskError.message()),
        taskError,
        exitCode,
        pointer,
        at);
  }
}
