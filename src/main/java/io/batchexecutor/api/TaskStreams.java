package io.batchexecutor.api;

import io.batchexecutor.backend.SweepResults;
import io.batchexecutor.storage.LogTail;
import io.batchexecutor.storage.ObjectStore;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskObjects;
import java.io.InputStream;
import java.util.OptionalLong;
import org.springframework.core.io.InputStreamResource;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

/**
 * Serves a task's stdout or stderr apart ({@code /logs?stream=stdout|stderr}): the copies the
 * runner keeps beside its result ({@code stdout.txt}, {@code stderr.txt}), copied out of the
 * container on the local backend and written to S3 by the runner itself on AWS Batch (whose log
 * stream has both streams merged). They exist once the task has ended with a result document; the
 * whole output, both streams in the order they came, stays at {@code /logs}.
 */
@Component
class TaskStreams {

  private final ObjectStores stores;

  TaskStreams(ObjectStores stores) {
    this.stores = stores;
  }

  /** The file the runner keeps {@code stream} in, or a 400 for a stream that is no stream. */
  static String fileOf(String stream) {
    return switch (stream) {
      case "stdout" -> TaskObjects.STDOUT;
      case "stderr" -> TaskObjects.STDERR;
      default ->
          throw ProblemException.invalidParameter(
              "stream", "is stdout or stderr (left out: the whole output, both streams)");
    };
  }

  /** What the task (or run {@code index} of its sweep) wrote to {@code stream}, or its tail. */
  ResponseEntity<?> stream(Task task, Integer index, String stream, Integer tail) {
    String file = fileOf(stream);
    TaskOutputs.checkRun(task, index);
    TaskLogReader.checkTail(tail);
    if (!task.status().isFinal()) {
      throw noStream(
          "task "
              + task.id()
              + " is "
              + task.status()
              + ": its "
              + stream
              + " is kept apart once it has ended; /logs has the whole output while it runs");
    }
    String result =
        index != null
            ? SweepResults.storedPointer(task, stores, index, TaskObjects.RESULT)
            // a task that returned a sub-workflow has its output task's result, but its own streams
            : task.subWorkflowOutput() != null
                ? stores
                    .primary()
                    .locate(
                        task.settings().s3BucketName(), TaskObjects.key(task, TaskObjects.RESULT))
                    .toString()
                : task.resultPointer();
    OptionalLong size =
        !TaskObjects.isResult(result)
            ? OptionalLong.empty()
            : stores.size(TaskObjects.besideResult(result, file));
    if (size.isEmpty()) {
      String detail =
          "task "
              + task.id()
              + " kept no "
              + stream
              + " apart (the runner keeps it beside its result, so a task that ended without one"
              + " has none); /logs has its whole output";
      if (index == null && task.spec().hasSweep()) {
        detail += "; each run of a sweep has its own: ask for /logs?stream=" + stream + "&index=";
      }
      throw noStream(detail);
    }
    String pointer = TaskObjects.besideResult(result, file);
    long from = tail == null ? 0 : LogTail.start(stores, pointer, tail).orElse(0L);
    InputStream body =
        stores.open(pointer, from, ObjectStore.END).orElseGet(InputStream::nullInputStream);
    return ResponseEntity.ok()
        .contentType(TaskLogReader.TEXT)
        .contentLength(size.getAsLong() - from)
        .body(new InputStreamResource(body));
  }

  private static ProblemException noStream(String detail) {
    return new ProblemException(HttpStatus.CONFLICT, Problems.NO_LOGS, "No logs", detail);
  }
}
