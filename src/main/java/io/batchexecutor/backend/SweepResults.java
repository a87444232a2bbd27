package io.batchexecutor.backend;

import io.batchexecutor.runner.RunnerContract;
import io.batchexecutor.runner.RunnerResult;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.storage.ObjectTooLargeException;
import io.batchexecutor.support.Sha256;
import io.batchexecutor.task.Sweep;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskObjects;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The result of a sweep, the same on every backend: each run's runner writes its own {@code
 * result.json} under {@code sweep/<index>/}; once all runs ended, their outcomes are gathered into
 * the task's {@code result.json} as the list of {@code {"kwargs": combination, "result": value}} or
 * {@code {"kwargs": combination, "error": {type, message, traceback}}}, in index order, each
 * combination computed from the sweep's axes ({@link Sweep#combination}). A value JSON cannot carry
 * shows as {@code "pickled": true} with its type and repr; its pickle stays at {@code
 * sweep/<index>/result.pickle}, and its digest is recorded with the task beside the gathered {@code
 * result.json}'s, both taken as they are gathered.
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
   * The pointer of run {@code index}'s file {@code name} of a task that ended: beside its result
   * ({@code …/result.json}), which for a reused task is under the prefix of the task that computed
   * it ({@link Task#reusedFrom}); else as {@link #pointer} has it.
   */
  public static String storedPointer(Task task, ObjectStores stores, int index, String name) {
    String result = task.resultPointer();
    if (task.reusedFrom() != null && result != null && result.endsWith("/" + TaskObjects.RESULT)) {
      return TaskObjects.besideResult(result, "") + "sweep/" + index + "/" + name;
    }
    return pointer(task, stores, index, name);
  }

  /**
   * The name under which the digest of run {@code index}'s pickle is recorded with the task ({@code
   * sweep/<index>/result.pickle}), beside the gathered {@code result.json}'s.
   */
  public static String runPickle(int index) {
    return "sweep/" + index + "/" + TaskObjects.PICKLE;
  }

  /**
   * Gathers the runs' results into the task's {@code result.json}, stores it and records its digest
   * with the task. Each run's file is read only if it has at most {@code maxBytes}, and the runs'
   * {@code result.json} files together may have at most {@code maxBytes} too: the gathered result
   * is one result file, held in memory while it is made, so a sweep of many runs each just under
   * the bound cannot fill the service's memory.
   *
   * @return the stored result's pointer
   * @throws io.batchexecutor.storage.ObjectTooLargeException for a run's file over {@code
   *     maxBytes}, or for the gathered {@code result.json} when the runs' results together are
   */
  public static String gather(Task task, ObjectStores stores, JsonMapper json, long maxBytes) {
    JsonNode sweep = task.spec().sweep();
    long runs = Sweep.runCount(sweep);
    String bucket = task.settings().s3BucketName();
    ArrayNode outcomes = json.createArrayNode();
    Map<String, String> pickles = new LinkedHashMap<>();
    long gatheredBytes = 0;
    for (int i = 0; i < runs; i++) {
      Optional<byte[]> stored =
          stores.get(pointer(task, stores, i, RunnerContract.RESULT_FILE), maxBytes);
      if (stored.isPresent()) {
        gatheredBytes += stored.get().length;
        if (gatheredBytes > maxBytes) {
          throw new ObjectTooLargeException(
              stores
                  .primary()
                  .locate(bucket, TaskObjects.key(task, RunnerContract.RESULT_FILE))
                  .toString(),
              gatheredBytes,
              maxBytes);
        }
      }
      Optional<RunnerResult> document = stored.map(bytes -> RunnerResult.parse(json, bytes));
      outcomes.add(outcome(Sweep.combination(sweep, i), document, json));
      if (document.isPresent() && document.get().pickled()) {
        int run = i;
        stores
            .get(pointer(task, stores, i, TaskObjects.PICKLE), maxBytes)
            .ifPresent(bytes -> pickles.put(runPickle(run), Sha256.hex(bytes)));
      }
    }
    ObjectNode result = json.createObjectNode().put("ok", true);
    result.set("value", outcomes);
    byte[] gathered = json.writeValueAsBytes(result);
    stores.primary().put(bucket, TaskObjects.key(task, RunnerContract.RESULT_FILE), gathered);
    Map<String, String> digests =
        new LinkedHashMap<>(ResultDigests.of(Map.of(TaskObjects.RESULT, gathered)));
    digests.putAll(pickles);
    task.resultsCollected(digests);
    return stores
        .primary()
        .locate(bucket, TaskObjects.key(task, RunnerContract.RESULT_FILE))
        .toString();
  }

  static ObjectNode outcome(
      ObjectNode combination, Optional<RunnerResult> document, JsonMapper json) {
    ObjectNode outcome = json.createObjectNode();
    outcome.set("kwargs", combination);
    if (document.isEmpty()) {
      outcome
          .putObject("error")
          .put("type", "ResultMissing")
          .put("message", "the run for this combination left no result");
      return outcome;
    }
    RunnerResult d = document.get();
    if (!d.returned()) {
      outcome.set("error", d.error());
    } else if (d.hasValue()) {
      outcome.set("result", d.value());
    } else {
      outcome
          .putNull("result")
          .put("pickled", d.pickled())
          .put("type", d.type())
          .put("repr", d.repr());
    }
    return outcome;
  }
}
