package io.batchexecutor.backend;

import io.batchexecutor.storage.LogTail;
import io.batchexecutor.task.BackendTerms;
import io.batchexecutor.task.Task;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where tasks run: the local Docker engine or AWS Batch, picked by {@code batch-executor.backend}.
 * A backend is the list of steps that take a task from QUEUED to a final status, and the way to
 * stop whatever of a task is running.
 */
public interface ComputeBackend extends BackendTerms {

  /** How often a followed task's output is read again from where it runs. */
  default Duration logReadInterval() {
    return Duration.ofSeconds(1);
  }

  /**
   * The steps, in order: the first that {@link PipelineStep#handles} a task works on it. Together
   * they cover every unfinished status.
   */
  List<PipelineStep> steps();

  /**
   * Makes sure nothing of {@code task} runs any more (stops its container, terminates its Batch
   * job). Called for a cancel request; the pipeline records CANCELLED afterwards.
   */
  void stop(Task task) throws InterruptedException;

  /**
   * Whether {@code failure} means that a service this backend needs did not answer (rather than
   * that the task's work failed); such failures are retried after a back-off, never recorded as the
   * task's outcome.
   */
  Optional<Unreachable> unreachable(Throwable failure);

  /**
   * {@code failure} in one readable line, for the reason of a task it ends: its message with its
   * line breaks made spaces, or its kind when it has none.
   */
  default String describe(Throwable failure) {
    String message = failure.getMessage();
    if (message == null || message.isBlank()) {
      return failure.getClass().getSimpleName();
    }
    return message.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  /** What the task printed so far, read live from where it runs; empty when it runs nowhere now. */
  default Optional<String> liveLogs(Task task) {
    return Optional.empty();
  }

  /**
   * What run {@code index} of a sweep printed, read from where it runs; empty when the backend
   * keeps no such output (then the run's stored {@code output.log} is served, once it ended).
   */
  default Optional<String> sweepLogs(Task task, int index) {
    return Optional.empty();
  }

  /**
   * The last {@code lines} lines of what the task (or run {@code index} of its sweep, when not
   * null) printed so far, read live from where it runs; empty when it runs nowhere now. This
   * default cuts them from all of {@link #liveLogs} (or {@link #sweepLogs}); a backend that can ask
   * for only the last lines does.
   */
  default Optional<String> liveLogTail(Task task, Integer index, int lines) {
    return (index == null ? liveLogs(task) : sweepLogs(task, index))
        .map(text -> LogTail.of(text, lines));
  }

  /**
   * What the task printed after {@code from}, read live from where it runs, and the position to
   * read on from; empty when it runs nowhere now. A follower calls it again and again, so a backend
   * reads only what is new where it can (Docker's {@code since}, CloudWatch's forward token); this
   * default reads all of {@link #liveLogs} and cuts off what {@code from} delivered.
   */
  default Optional<LogChunk> liveLogsAfter(Task task, LogPosition from) {
    return liveLogs(task).map(from::rest);
  }

  /** {@link #liveLogsAfter} for run {@code index} of a sweep, as {@link #sweepLogs} reads it. */
  default Optional<LogChunk> sweepLogsAfter(Task task, int index, LogPosition from) {
    return sweepLogs(task, index).map(from::rest);
  }
}
