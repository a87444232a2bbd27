package io.batchexecutor.backend;

import io.batchexecutor.runner.RunnerContract;
import io.batchexecutor.runner.RunnerResult;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.task.FileTransfer;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskError;
import io.batchexecutor.task.TaskObjects;
import io.batchexecutor.task.TaskQueries;
import io.batchexecutor.task.TaskReferences;
import io.batchexecutor.task.TaskStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;

/**
 * The results a workflow task takes from the tasks it depends on, as the runner reads them (see
 * {@code BATCH_EXECUTOR_INPUTS} in the runner): the very {@code result.json} and {@code
 * result.pickle} the upstream runner wrote. The service passes the bytes on and never unpickles
 * them.
 */
public class TaskInputs {

  /**
   * Where the local backend puts each input inside the container, {@code <dir>/<key>/}: in the
   * volume of the container's own files, since its root filesystem is read-only.
   */
  public static final String CONTAINER_DIR = "/batch-executor-files/inputs";

  /**
   * Where a task's uploads are kept beside its payload ({@code uploads/<id>} under its prefix), and
   * where the local backend puts them in the container ({@link #UPLOADS_DIR}).
   */
  public static final String UPLOADS = "uploads";

  /** Where the local backend puts each upload a task's files name, {@code <dir>/<id>}. */
  public static final String UPLOADS_DIR = RunnerContract.UPLOADS_DIR;

  private final TaskQueries tasks;
  private final ObjectStores stores;
  private final JsonMapper json;

  public TaskInputs(TaskQueries tasks, ObjectStores stores, JsonMapper json) {
    this.tasks = tasks;
    this.stores = stores;
    this.json = json;
  }

  /**
   * The tasks {@code task} depends on, by key: those whose results it takes and those it waits for.
   */
  public Map<String, Task> dependencies(Task task) {
    Map<UUID, Task> found = new LinkedHashMap<>();
    tasks.findAll(task.dependsOn().values()).forEach(t -> found.put(t.id(), t));
    Map<String, Task> byKey = new LinkedHashMap<>();
    task.dependsOn().forEach((key, id) -> byKey.put(key, found.get(id)));
    return byKey;
  }

  /**
   * Of {@code dependencies} (all of {@code task}'s), those whose results it takes: the ones its
   * arguments refer to. One it only waits for (its {@code "after"}) is no input: nothing of it is
   * copied or named to the runner.
   */
  public static Map<String, Task> taken(Task task, Map<String, Task> dependencies) {
    Map<String, Task> taken = new LinkedHashMap<>();
    inputs(task).keySet().forEach(key -> taken.put(key, dependencies.get(key)));
    return taken;
  }

  /** The dependencies whose results the task's arguments refer to, by key. */
  static Map<String, UUID> inputs(Task task) {
    if (task.dependsOn().isEmpty()) {
      return Map.of();
    }
    Set<String> referred = new HashSet<>();
    TaskReferences.in(task.spec().args(), task.spec().kwargs(), new ArrayList<>())
        .forEach(r -> referred.add(r.key()));
    Map<String, UUID> taken = new LinkedHashMap<>();
    task.dependsOn()
        .forEach(
            (key, id) -> {
              if (referred.contains(key)) {
                taken.put(key, id);
              }
            });
    return taken;
  }

  /**
   * For each key, the files of that dependency's result ({@code result.json}, and {@code
   * result.pickle} when the value travelled as a pickle), each checked against the digest recorded
   * when its task's result was collected.
   *
   * @throws IllegalStateException when a dependency has not succeeded or its result is gone
   * @throws ResultDigests.AlteredResultException when a file no longer matches its digest
   */
  public Map<String, Map<String, byte[]>> files(Task task) {
    Map<String, Map<String, byte[]>> files = new LinkedHashMap<>();
    for (Map.Entry<String, Task> e : taken(task, dependencies(task)).entrySet()) {
      Task upstream = e.getValue();
      if (upstream == null || upstream.status() != TaskStatus.SUCCEEDED) {
        throw new IllegalStateException(
            "dependency '" + e.getKey() + "' has not succeeded; its result cannot be passed on");
      }
      String pointer = upstream.resultPointer();
      byte[] document =
          stores
              .get(pointer)
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "the result of dependency '" + e.getKey() + "' is gone from " + pointer));
      String what = "the result of dependency '" + e.getKey() + "'";
      Map<String, byte[]> result = new LinkedHashMap<>();
      result.put(
          TaskObjects.RESULT, ResultDigests.check(upstream, TaskObjects.RESULT, document, what));
      if (RunnerResult.parse(json, document).pickled()) {
        stores
            .get(TaskObjects.besideResult(pointer, TaskObjects.PICKLE))
            .ifPresent(
                bytes ->
                    result.put(
                        TaskObjects.PICKLE,
                        ResultDigests.check(upstream, TaskObjects.PICKLE, bytes, what)));
      }
      files.put(e.getKey(), result);
    }
    return files;
  }

  /**
   * The uploads {@code task}'s files name, by id, as staged beside its payload; the runner checks
   * each against its id (the SHA-256 of its bytes).
   *
   * @throws UploadGoneException when one is gone from the task's objects
   */
  public Map<String, byte[]> uploads(Task task) {
    Map<String, byte[]> uploads = new LinkedHashMap<>();
    if (!task.spec().hasFiles()) {
      return uploads;
    }
    for (FileTransfer file : task.spec().files()) {
      if (file.upload() != null && !uploads.containsKey(file.upload())) {
        String pointer =
            stores
                .primary()
                .locate(
                    task.settings().s3BucketName(),
                    TaskObjects.key(task, UPLOADS + "/" + file.upload()))
                .toString();
        uploads.put(
            file.upload(),
            stores
                .get(pointer)
                .orElseThrow(
                    () ->
                        new UploadGoneException(
                            "the upload "
                                + file.upload()
                                + " for "
                                + file.path()
                                + " is gone: its copy staged for the task was removed")));
      }
    }
    return uploads;
  }

  /**
   * Fails {@code task}, whose staged copy of an upload is gone, as when the upload itself is gone
   * before it was staged: {@code UploadNotFound}, naming the upload and its path.
   */
  public static void failUploadGone(Task task, UploadGoneException gone, Instant now) {
    task.fail(
        gone.getMessage(), new TaskError("UploadNotFound", gone.getMessage(), ""), null, null, now);
  }

  /** An upload a task's files name is gone from the task's own objects, where it was staged. */
  public static final class UploadGoneException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UploadGoneException(String message) {
      super(message);
    }
  }

  /**
   * The runner's {@code BATCH_EXECUTOR_INPUT_SHA256}: for each dependency (by key) the digests of
   * its result files as the service collected them. A dependency that ended before digests were
   * kept has none and is left out (the runner then takes its files unchecked).
   */
  public static Map<String, Map<String, String>> digests(Map<String, Task> dependencies) {
    Map<String, Map<String, String>> digests = new LinkedHashMap<>();
    dependencies.forEach(
        (key, upstream) -> {
          if (upstream != null && !upstream.resultDigests().isEmpty()) {
            digests.put(key, ResultDigests.ofResult(upstream));
          }
        });
    return digests;
  }

  /** The runner's {@code BATCH_EXECUTOR_INPUTS} for the local backend's copied files. */
  public static Map<String, String> containerLocations(Task task) {
    Map<String, String> locations = new LinkedHashMap<>();
    inputs(task).keySet().forEach(key -> locations.put(key, CONTAINER_DIR + "/" + key));
    return locations;
  }

  /**
   * The runner's {@code BATCH_EXECUTOR_INPUTS} on AWS Batch: each dependency's S3 prefix; for a
   * dependency whose result was computed by another task — one that returned a sub-workflow (its
   * output task's result) or one a workflow's re-run reused (the earlier task's) — the prefix that
   * result is under.
   */
  public static Map<String, String> s3Locations(Map<String, Task> dependencies) {
    Map<String, String> locations = new LinkedHashMap<>();
    dependencies.forEach(
        (key, upstream) -> {
          String pointer = upstream.resultPointer();
          if ((upstream.reusedFrom() != null || upstream.subWorkflowOutput() != null)
              && pointer != null
              && pointer.startsWith("s3://")
              && pointer.endsWith("/" + TaskObjects.RESULT)) {
            locations.put(key, TaskObjects.besideResult(pointer, ""));
          } else {
            locations.put(
                key,
                "s3://" + upstream.settings().s3BucketName() + "/" + TaskObjects.key(upstream, ""));
          }
        });
    return locations;
  }
}
