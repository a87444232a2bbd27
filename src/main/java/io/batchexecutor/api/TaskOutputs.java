package io.batchexecutor.api;

import io.batchexecutor.pipeline.ComputeBackend;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Serves what a task produced: its result (read back through the pointer the task keeps) and its
 * output (live from where it runs, else as collected when it ended). The service only ever passes
 * the runner's pickle through as bytes; it never unpickles anything.
 */
@Component
public class TaskOutputs {

  private final ObjectStores stores;
  private final ObjectProvider<ComputeBackend> backend;
  private final JsonMapper json;

  public TaskOutputs(ObjectStores stores, ObjectProvider<ComputeBackend> backend, JsonMapper json) {
    this.stores = stores;
    this.backend = backend;
    this.json = json;
  }

  ResponseEntity<?> result(Task task, String accept) {
    if (!task.status().isFinal()) {
      throw new ProblemException(
              HttpStatus.CONFLICT,
              Problems.TASK_NOT_FINISHED,
              "Task not finished",
              "task "
                  + task.id()
                  + " is "
                  + task.status()
                  + "; its result is there once it SUCCEEDED")
          .withProperty("status_of_task", task.status());
    }
    if (task.status() != TaskStatus.SUCCEEDED) {
      throw new ProblemException(
              HttpStatus.CONFLICT,
              Problems.TASK_FAILED,
              "Task has no result",
              "task " + task.id() + " is " + task.status() + ": " + task.statusReason())
          .withProperty("status_of_task", task.status())
          .withProperty("error", task.error());
    }
    JsonNode document =
        stores
            .get(task.resultPointer())
            .map(json::readTree)
            .orElseThrow(
                () ->
                    new ProblemException(
                        HttpStatus.CONFLICT,
                        Problems.RESULT_MISSING,
                        "Result missing",
                        "task "
                            + task.id()
                            + " SUCCEEDED but its result is not at "
                            + task.resultPointer()));
    boolean pickled = document.path("pickled").asBoolean(false);
    boolean wantsBytes =
        accept != null
            && accept.contains(MediaType.APPLICATION_OCTET_STREAM_VALUE)
            && !accept.contains(MediaType.APPLICATION_JSON_VALUE);
    if (wantsBytes) {
      if (!pickled) {
        throw new ProblemException(
            HttpStatus.NOT_ACCEPTABLE,
            Problems.NOT_ACCEPTABLE,
            "No pickle",
            "the result of task " + task.id() + " is JSON; ask for application/json");
      }
      byte[] bytes =
          stores
              .get(task.resultPointer().replaceAll("result\\.json$", "result.pickle"))
              .orElseThrow(
                  () ->
                      new ProblemException(
                          HttpStatus.CONFLICT,
                          Problems.RESULT_MISSING,
                          "Result missing",
                          "the pickle of task " + task.id() + " is missing"));
      return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM).body(bytes);
    }
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(value(document));
  }

  /**
   * What a SUCCEEDED task returned, for a workflow's outputs: the JSON value, or the type and repr
   * of a value JSON cannot carry; null when the result cannot be read.
   */
  JsonNode output(Task task) {
    if (task.resultPointer() == null) {
      return null;
    }
    return stores.get(task.resultPointer()).map(json::readTree).map(this::value).orElse(null);
  }

  /**
   * What a result document holds as JSON: the value, or for a value JSON cannot carry, its type and
   * repr and whether its pickle is there.
   */
  private JsonNode value(JsonNode document) {
    return document.has("value")
        ? document.get("value")
        : json.createObjectNode()
            .put("pickled", document.path("pickled").asBoolean(false))
            .put("type", document.path("type").asString())
            .put("repr", document.path("repr").asString());
  }

  ResponseEntity<String> logs(Task task) {
    ComputeBackend running = backend.getIfAvailable();
    Optional<String> live = running == null ? Optional.empty() : running.liveLogs(task);
    Optional<String> text =
        live.or(
            () ->
                stores
                    .get(task.logsPointer())
                    .map(bytes -> new String(bytes, StandardCharsets.UTF_8)));
    if (text.isEmpty()) {
      throw new ProblemException(
          HttpStatus.CONFLICT,
          Problems.NO_LOGS,
          "No logs",
          "task " + task.id() + " is " + task.status() + " and has produced no output yet");
    }
    return ResponseEntity.ok()
        .contentType(new MediaType("text", "plain", StandardCharsets.UTF_8))
        .body(text.get());
  }
}
