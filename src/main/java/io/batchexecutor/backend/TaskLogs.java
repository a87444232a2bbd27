package io.batchexecutor.backend;

import io.batchexecutor.storage.LogTail;
import io.batchexecutor.task.Task;
import java.time.Duration;
import java.util.Optional;

/**
 * How a backend reads its tasks' output live, where they run (the local engine's container logs,
 * CloudWatch Logs); once a task ended its stored copy is served instead. Nothing by default.
 */
public interface TaskLogs {

  /** How often a followed task's output is read again from where it runs. */
  default Duration logReadInterval() {
    return Duration.ofSeconds(1);
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
