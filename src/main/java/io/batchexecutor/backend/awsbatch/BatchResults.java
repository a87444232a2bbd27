package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.backend.ResultDigests;
import io.batchexecutor.backend.RunnerOutcome;
import io.batchexecutor.backend.SweepResults;
import io.batchexecutor.config.ResultSizeLimit;
import io.batchexecutor.runner.RunnerContract;
import io.batchexecutor.runner.RunnerResult;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.storage.ObjectTooLargeException;
import io.batchexecutor.task.SubWorkflows;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskError;
import io.batchexecutor.task.TaskObjects;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a finished job left in S3, read back as the local backend reads a container's files: each
 * result file at most {@code max-result-size} ({@link ResultSizeLimit}), its size known from S3
 * before its body is read, so that no job can fill the service's memory with what it returns. A
 * larger one fails the task naming the setting, and is not read.
 */
final class BatchResults {

  private final ObjectStores stores;
  private final JsonMapper json;
  private final ResultSizeLimit limit;
  private final SubWorkflows subWorkflows;

  BatchResults(
      ObjectStores stores, JsonMapper json, ResultSizeLimit limit, SubWorkflows subWorkflows) {
    this.subWorkflows = subWorkflows;
    this.stores = stores;
    this.json = json;
    this.limit = limit;
  }

  /** The bound results are read with. */
  ResultSizeLimit limit() {
    return limit;
  }

  /** The result document at {@code pointer}, if the job left one; bounded. */
  Optional<RunnerResult> document(String pointer) {
    return stores.get(pointer, limit.bytes()).map(bytes -> RunnerResult.parse(json, bytes));
  }

  /**
   * Collects what a SUCCEEDED job left: a sweep's runs gathered, or the task's result with its
   * digests; a job that SUCCEEDED without a good result fails the task.
   */
  void succeeded(Task task, Integer exit, Instant now) {
    if (task.spec().hasSweep()) {
      task.succeed(SweepResults.gather(task, stores, json, limit.bytes()), exit, now);
      return;
    }
    String pointer = JobDefinitions.resultPrefix(task) + RunnerContract.RESULT_FILE;
    Optional<byte[]> stored = stores.get(pointer, limit.bytes());
    Optional<RunnerResult> result = stored.map(bytes -> RunnerResult.parse(json, bytes));
    if (result.isPresent() && result.get().returned()) {
      task.resultsCollected(collected(stored.get(), result.get(), pointer));
      RunnerOutcome.returnedBy(task, result.get(), pointer, exit, now, subWorkflows);
      return;
    }
    String reason =
        result.isPresent()
            ? "the job SUCCEEDED but its result at " + pointer + " reports a failure"
            : "the job SUCCEEDED but wrote no result to " + pointer;
    task.fail(
        reason,
        new TaskError("ResultMissing", reason, null),
        exit,
        result.isPresent() ? pointer : null,
        now);
  }

  /** Fails {@code task} for a result file over the bound, naming the file and the setting. */
  void tooLarge(Task task, ObjectTooLargeException e, Integer exit, Instant now) {
    String reason = limit.exceeded(fileOf(task, e.pointer()), e.size());
    task.fail(reason, new TaskError("ResultTooLarge", reason, null), exit, null, now);
  }

  /**
   * The digests of the result as collected now, from S3: {@code result.json} and, for a value that
   * travelled as a pickle, {@code result.pickle}.
   */
  private Map<String, String> collected(byte[] document, RunnerResult parsed, String pointer) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(TaskObjects.RESULT, document);
    if (parsed.pickled()) {
      stores
          .get(TaskObjects.besideResult(pointer, TaskObjects.PICKLE), limit.bytes())
          .ifPresent(pickle -> files.put(TaskObjects.PICKLE, pickle));
    }
    return ResultDigests.of(files);
  }

  /** The file a pointer names, as the task's own name for it (sweep/3/result.json, result.json). */
  private static String fileOf(Task task, String pointer) {
    String key = TaskObjects.key(task, "");
    int at = pointer.indexOf(key);
    if (at >= 0) {
      return pointer.substring(at + key.length());
    }
    int sweep = pointer.lastIndexOf("/sweep/");
    return sweep >= 0
        ? pointer.substring(sweep + 1)
        : pointer.substring(pointer.lastIndexOf('/') + 1);
  }
}
