package io.batchexecutor.api;

import io.batchexecutor.backend.ResultDigests;
import io.batchexecutor.backend.SweepResults;
import io.batchexecutor.runner.RunnerResult;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.task.Sweep;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskObjects;
import io.batchexecutor.task.TaskStatus;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Serves what a task returned, read back through the pointer the task keeps, checked against its
 * digests: the value as JSON, or the runner's pickle as bytes (the service never unpickles
 * anything). What it printed is served by {@link TaskLogReader}.
 */
@Component
public class TaskOutputs {

  private final ObjectStores stores;
  private final JsonMapper json;

  public TaskOutputs(ObjectStores stores, JsonMapper json) {
    this.stores = stores;
    this.json = json;
  }

  ResponseEntity<?> result(Task task, String accept, Integer index) {
    checkRun(task, index);
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
          .withProperty("error", ErrorSummary.of(task.error()));
    }
    Optional<byte[]> stored = stores.get(task.resultPointer());
    if (stored.isEmpty()) {
      checkHere(task, task.resultPointer(), "result");
      throw new ProblemException(
          HttpStatus.CONFLICT,
          Problems.RESULT_MISSING,
          "Result missing",
          "task " + task.id() + " SUCCEEDED but its result is not at " + task.resultPointer());
    }
    RunnerResult result = RunnerResult.parse(json, checked(task, TaskObjects.RESULT, stored.get()));
    JsonNode document = result.document();
    if (index != null) {
      return run(task, index, document.path("value").path(index), accept);
    }
    if (wantsBytes(accept)) {
      return pickle(
          document,
          TaskObjects.besideResult(task.resultPointer(), TaskObjects.PICKLE),
          "the result of task " + task.id(),
          bytes -> checked(task, TaskObjects.PICKLE, bytes));
    }
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(value(result));
  }

  /**
   * Run {@code index} of a SUCCEEDED sweep: its outcome as the gathered (and checked) result holds
   * it, as JSON, or its pickle's bytes, checked against the digest recorded when it was gathered.
   */
  private ResponseEntity<?> run(Task task, int index, JsonNode outcome, String accept) {
    if (wantsBytes(accept)) {
      return pickle(
          outcome,
          SweepResults.storedPointer(task, stores, index, TaskObjects.PICKLE),
          "run " + index + " of task " + task.id(),
          bytes -> checked(task, SweepResults.runPickle(index), bytes));
    }
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(outcome);
  }

  /**
   * The pickle at {@code pointer}, when {@code described} (a result document or a run's outcome)
   * says there is one; {@code what} names the result in problems.
   */
  private ResponseEntity<byte[]> pickle(
      JsonNode described, String pointer, String what, UnaryOperator<byte[]> check) {
    if (!described.path("pickled").asBoolean(false)) {
      throw new ProblemException(
          HttpStatus.NOT_ACCEPTABLE,
          Problems.NOT_ACCEPTABLE,
          "No pickle",
          what + " is not a pickle; ask for application/json");
    }
    byte[] bytes =
        stores
            .get(pointer)
            .orElseThrow(
                () ->
                    new ProblemException(
                        HttpStatus.CONFLICT,
                        Problems.RESULT_MISSING,
                        "Result missing",
                        "the pickle of " + what + " is missing"));
    return ResponseEntity.ok()
        .contentType(MediaType.APPLICATION_OCTET_STREAM)
        .body(check.apply(bytes));
  }

  /**
   * {@code bytes}, read back as {@code task}'s result file {@code name}, when they still match the
   * digest recorded when the service collected them; else a {@code result-altered} problem (409):
   * altered bytes are never served.
   */
  private static byte[] checked(Task task, String name, byte[] bytes) {
    try {
      return ResultDigests.check(task, name, bytes, "the result of task " + task.id());
    } catch (ResultDigests.AlteredResultException e) {
      throw new ProblemException(
              HttpStatus.CONFLICT, Problems.RESULT_ALTERED, "Result altered", e.getMessage())
          .withProperty("status_of_task", task.status());
    }
  }

  private static boolean wantsBytes(String accept) {
    return accept != null
        && accept.contains(MediaType.APPLICATION_OCTET_STREAM_VALUE)
        && !accept.contains(MediaType.APPLICATION_JSON_VALUE);
  }

  /** Refuses {@code index} unless the task is a sweep with such a run. */
  static void checkRun(Task task, Integer index) {
    if (index == null) {
      return;
    }
    if (!task.spec().hasSweep()) {
      throw ProblemException.invalidParameter(
          "index", "names a run of a sweep, and task " + task.id() + " is not a sweep");
    }
    long runs = Sweep.runCount(task.spec().sweep());
    if (index < 0 || index >= runs) {
      throw ProblemException.invalidParameter(
          "index", "must be between 0 and " + (runs - 1) + " for this sweep of " + runs + " runs");
    }
  }

  /**
   * What a SUCCEEDED task returned, for a workflow's outputs: the JSON value, or the type and repr
   * of a value JSON cannot carry; null when the result cannot be read.
   */
  JsonNode output(Task task) {
    if (task.resultPointer() == null) {
      return null;
    }
    try {
      return stores
          .get(task.resultPointer())
          .map(bytes -> ResultDigests.check(task, TaskObjects.RESULT, bytes, "result"))
          .map(bytes -> value(RunnerResult.parse(json, bytes)))
          .orElse(null);
    } catch (ResultDigests.AlteredResultException e) {
      return null; // not shown: it is not what the task returned
    }
  }

  /**
   * What a result document holds as JSON: the value, or for a value JSON cannot carry, its type and
   * repr and whether its pickle is there.
   */
  private JsonNode value(RunnerResult document) {
    return document.hasValue()
        ? document.value()
        : json.createObjectNode()
            .put("pickled", document.pickled())
            .put("type", document.type())
            .put("repr", document.repr());
  }

  /**
   * Refuses to serve {@code what} of a task whose stored {@code pointer} names a file this instance
   * does not have: a local object store keeps what a task produced on the instance that ran it. The
   * answer names no path, which would be another machine's.
   */
  static void checkHere(Task task, String pointer, String what) {
    if (ObjectStores.notHere(pointer)) {
      throw new ProblemException(
              HttpStatus.CONFLICT,
              Problems.NOT_IN_THIS_OBJECT_STORE,
              "Not in this instance's object store",
              "the "
                  + what
                  + " of task "
                  + task.id()
                  + " was kept in the local object store of the instance that ran it, and this"
                  + " instance's local object store does not have it. Several instances on one"
                  + " database need a shared object store: S3, or one directory that all of them"
                  + " mount.")
          .withProperty("status_of_task", task.status());
    }
  }
}
