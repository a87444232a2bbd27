package io.batchexecutor.backend;

import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.task.Sweep;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskObjects;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The result of a sweep, the same on every backend: each run's runner writes its own {@code
 * result.json} under {@code sweep/<index>/}; once all runs ended, their outcomes are gathered into
 * the task's {@code result.json} as the list of {@code {"kwargs": combination, "result": value}} or
 * {@code {"kwargs": combination, "error": {type, message, traceback}}}, in index order. A value
 * JSON cannot carry shows as {@code "pickled": true} with its type and repr; its pickle stays at
 * {@code sweep/<index>/result.pickle}.
 */
public final class SweepResults {

  private SweepResults() {}

  /** The object key of run {@code index}'s file {@code name}. */
  public static String key(Task task, int index, String name) {
    return TaskObjects.key(task, "sweep/" + index + "/" + name);
  }

  /** The pointer of run {@code index}'s file {@code name} in the primary store. */
  public static String pointer(Task task, ObjectStores stores, int index, String name) {
    return stores
        .primary()
        .locate(task.settings().s3BucketName(), key(task, index, name))
        .toString();
  }

  /**
   * Run {@code index}'s outcome, as the gathered list holds it: {@code {"kwargs", "result"}} or
   * {@code {"kwargs", "error"}}.
   */
  public static ObjectNode outcome(Task task, int index, ObjectStores stores, JsonMapper json) {
    return outcome(
        Sweep.combinations(task.spec().sweep()).get(index),
        stores.get(pointer(task, stores, index, "result.json")).map(json::readTree),
        json);
  }

  /**
   * Gathers the runs' results into the task's {@code result.json}, stores it and records its digest
   * with the task.
   *
   * @return the stored result's pointer
   */
  public static String gather(Task task, ObjectStores stores, JsonMapper json) {
    List<ObjectNode> combinations = Sweep.combinations(task.spec().sweep());
    String bucket = task.settings().s3BucketName();
    ArrayNode outcomes = json.createArrayNode();
    for (int i = 0; i < combinations.size(); i++) {
      Optional<JsonNode> document =
          stores.get(pointer(task, stores, i, "result.json")).map(json::readTree);
      outcomes.add(outcome(combinations.get(i), document, json));
    }
    ObjectNode result = json.createObjectNode().put("ok", true);
    result.set("value", outcomes);
    byte[] gathered = json.writeValueAsBytes(result);
    stores.primary().put(bucket, TaskObjects.key(task, "result.json"), gathered);
    task.resultsCollected(ResultDigests.of(java.util.Map.of(TaskObjects.RESULT, gathered)));
    return stores.primary().locate(bucket, TaskObjects.key(task, "result.json")).toString();
  }

  static ObjectNode outcome(ObjectNode combination, Optional<JsonNode> document, JsonMapper json) {
    ObjectNode outcome = json.createObjectNode();
    outcome.set("kwargs", combination);
    if (document.isEmpty()) {
      outcome
          .putObject("error")
          .put("type", "ResultMissing")
          .put("message", "the run for this combination left no result");
      return outcome;
    }
    JsonNode d = document.get();
    if (!d.path("ok").asBoolean(false)) {
      outcome.set("error", d.path("error"));
    } else if (d.has("value")) {
      outcome.set("result", d.get("value"));
    } else {
      outcome
          .putNull("result")
          .put("pickled", d.path("pickled").asBoolean(false))
          .put("type", d.path("type").asString())
          .put("repr", d.path("repr").asString());
    }
    return outcome;
  }
}
