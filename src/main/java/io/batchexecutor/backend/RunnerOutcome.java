package io.batchexecutor.backend;

import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskError;
import java.time.Instant;
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

  /** Fails {@code task} with the Python exception in {@code document}. */
  public static void failRaised(
      Task task, JsonNode document, Integer exitCode, String pointer, Instant at) {
    JsonNode error = document.get("error");
    TaskError taskError =
        new TaskError(
            error.path("type").asString(),
            error.path("message").asString(),
            error.path("traceback").asString());
    task.fail(
        "the function raised " + taskError.type() + ": " + taskError.message(),
        taskError,
        exitCode,
        pointer,
        at);
  }
}
