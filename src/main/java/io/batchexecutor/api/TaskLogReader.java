package io.batchexecutor.api;

import io.batchexecutor.backend.ComputeBackend;
import io.batchexecutor.backend.LogChunk;
import io.batchexecutor.backend.LogPosition;
import io.batchexecutor.backend.SweepResults;
import io.batchexecutor.backend.Unreachable;
import io.batchexecutor.storage.LogTail;
import io.batchexecutor.storage.ObjectStore;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.task.Task;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.io.InputStreamResource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

/**
 * Serves what a task printed: live from the backend it runs on while it runs (a backend that does
 * not answer is a 503), else the copy stored once it ended, streamed and never read whole into
 * memory; whole or its last lines. {@link LogFollowers} follows it through the reads here.
 */
@Component
class TaskLogReader {

  /** How output is served: plain text, UTF-8. */
  static final MediaType TEXT = new MediaType("text", "plain", StandardCharsets.UTF_8);

  /** The most lines {@code ?tail=} takes. */
  static final int MAX_TAIL = 10_000;

  private final ObjectStores stores;
  private final ObjectProvider<ComputeBackend> backends;

  TaskLogReader(ObjectStores stores, ObjectProvider<ComputeBackend> backends) {
    this.stores = stores;
    this.backends = backends;
  }

  /**
   * What the task (or run {@code index} of its sweep) printed, or its last {@code tail} lines: live
   * from where it runs, else streamed from the copy stored once it ended (read from its end for a
   * tail), never read whole into memory. A backend that does not answer is a 503.
   */
  ResponseEntity<?> logs(Task task, Integer index, Integer tail) {
    TaskOutputs.checkRun(task, index);
    checkTail(tail);
    Optional<String> live =
        fromBackend(
            task,
            b ->
                tail != null
                    ? b.liveLogTail(task, index, tail)
                    : index == null ? b.liveLogs(task) : b.sweepLogs(task, index));
    if (live.isPresent()) {
      return ResponseEntity.ok().contentType(TEXT).body(live.get());
    }
    String pointer = storedPointer(task, index);
    OptionalLong size = stores.size(pointer);
    if (size.isEmpty()) {
      // a sweep's runs keep their output beside the result that was gathered from them
      TaskOutputs.checkHere(
          task, index == null ? task.logsPointer() : task.resultPointer(), "output");
      String detail =
          index == null
              ? "task " + task.id() + " is " + task.status() + " and has produced no output yet"
              : "run " + index + " of task " + task.id() + " has produced no output yet";
      if (index == null && task.spec().hasSweep()) {
        detail += "; each run of a sweep has its own: ask for /logs?index=<run>";
      }
      throw new ProblemException(HttpStatus.CONFLICT, Problems.NO_LOGS, "No logs", detail);
    }
    long from = tail == null ? 0 : LogTail.start(stores, pointer, tail).orElse(0L);
    InputStream body =
        stores.open(pointer, from, ObjectStore.END).orElseGet(InputStream::nullInputStream);
    return ResponseEntity.ok()
        .contentType(TEXT)
        .contentLength(size.getAsLong() - from)
        .body(new InputStreamResource(body));
  }

  /** Refuses a {@code tail} below 0 or above {@link #MAX_TAIL}. */
  static void checkTail(Integer tail) {
    if (tail != null && (tail < 0 || tail > MAX_TAIL)) {
      throw ProblemException.invalidParameter(
          "tail", "must be between 0 and " + MAX_TAIL + " (lines from the end of the output)");
    }
  }

  /** Where the output of the task (or run {@code index} of its sweep) is stored once it ended. */
  private String storedPointer(Task task, Integer index) {
    return index == null
        ? task.logsPointer()
        : SweepResults.storedPointer(task, stores, index, "output.log");
  }

  /** How often a followed task's output is read again: as often as its backend allows. */
  Duration logReadInterval(Task task) {
    return backendOf(task).map(ComputeBackend::logReadInterval).orElse(LogFollowers.TICK);
  }

  /** The backend {@code task} runs on, when the deployment has it. */
  private Optional<ComputeBackend> backendOf(Task task) {
    return backends.orderedStream().filter(b -> b.name().equals(task.backend())).findFirst();
  }

  /**
   * What the task (or run {@code index} of its sweep) printed after {@code from}, read live from
   * where it runs; empty when it runs nowhere now. A backend that does not answer is a 503.
   */
  Optional<LogChunk> liveLogsAfter(Task task, Integer index, LogPosition from) {
    return fromBackend(
        task,
        b -> index == null ? b.liveLogsAfter(task, from) : b.sweepLogsAfter(task, index, from));
  }

  /** The output stored once the task (or run {@code index} of its sweep) ended; empty before. */
  Optional<String> storedLogs(Task task, Integer index) {
    return stores.get(storedPointer(task, index)).map(TaskLogReader::utf8);
  }

  /**
   * Reads from the running backend; a backend that does not answer is a 503 rather than an internal
   * error.
   */
  private <T> Optional<T> fromBackend(Task task, Function<ComputeBackend, Optional<T>> read) {
    ComputeBackend running = backendOf(task).orElse(null);
    if (running == null) {
      return Optional.empty();
    }
    try {
      return read.apply(running);
    } catch (RuntimeException e) {
      Optional<Unreachable> unreachable = running.unreachable(e);
      if (unreachable.isEmpty()) {
        throw e;
      }
      ProblemException problem =
          new ProblemException(
              HttpStatus.SERVICE_UNAVAILABLE,
              Problems.BACKEND_UNAVAILABLE,
              "Backend unavailable",
              unreachable.get().description());
      problem.getHeaders().set(HttpHeaders.RETRY_AFTER, "5");
      throw problem;
    }
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
