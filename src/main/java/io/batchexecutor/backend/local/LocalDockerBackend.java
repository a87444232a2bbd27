package io.batchexecutor.backend.local;

import io.batchexecutor.backend.BuildImage;
import io.batchexecutor.backend.ComputeBackend;
import io.batchexecutor.backend.DockerUnreachable;
import io.batchexecutor.backend.LogChunk;
import io.batchexecutor.backend.LogPosition;
import io.batchexecutor.backend.PipelineStep;
import io.batchexecutor.backend.Unreachable;
import io.batchexecutor.docker.DockerFailures;
import io.batchexecutor.storage.LogTail;
import io.batchexecutor.task.Task;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Runs task images on the local Docker engine: the default backend, and the way to try a task
 * before paying for AWS Batch. QUEUED → BUILDING → SUBMITTED → RUNNING → SUCCEEDED | FAILED.
 */
public class LocalDockerBackend implements ComputeBackend {

  private final LocalContainers containers;
  private final List<PipelineStep> steps;

  /**
   * @param imageGone told the reference of an image a container could not be created from: the
   *     engine no longer has it
   */
  LocalDockerBackend(
      LocalContainers containers,
      BuildImage buildImage,
      RunSweep sweep,
      AwaitContainer await,
      Consumer<String> imageGone) {
    this.containers = containers;
    this.steps = List.of(buildImage, sweep, new LaunchContainer(containers, imageGone), await);
  }

  @Override
  public String name() {
    return "local";
  }

  @Override
  public List<PipelineStep> steps() {
    return steps;
  }

  @Override
  public void stop(Task task) throws InterruptedException {
    for (String id : containers.containersOf(task)) {
      containers.kill(id);
      containers.remove(id);
    }
  }

  @Override
  public Optional<Unreachable> unreachable(Throwable failure) {
    return DockerUnreachable.of(failure);
  }

  @Override
  public String describe(Throwable failure) {
    // a missing image found by a create that cannot go back to the build (a sweep's run, a later
    // attempt): the engine's own words
    return DockerFailures.refusal(
        failure instanceof ImageGoneException && failure.getCause() != null
            ? failure.getCause()
            : failure);
  }

  @Override
  public Optional<String> liveLogs(Task task) {
    if (task.containerId() == null || task.status().isFinal()) {
      return Optional.empty();
    }
    return logsOf(task.containerId());
  }

  /** The output of the latest attempt's container of sweep run {@code index}, while it exists. */
  @Override
  public Optional<String> sweepLogs(Task task, int index) {
    if (task.status().isFinal()) {
      return Optional.empty();
    }
    List<LocalContainers.SweepRun> found = containers.sweepRuns(task).get(index);
    return found == null ? Optional.empty() : logsOf(found.get(0).containerId());
  }

  /** Reads on from {@code from} in the task's current container; empty when it runs nowhere. */
  @Override
  public Optional<LogChunk> liveLogsAfter(Task task, LogPosition from) {
    if (task.containerId() == null || task.status().isFinal()) {
      return Optional.empty();
    }
    return logsAfter(task.containerId(), from);
  }

  /** Reads on from {@code from} in the latest attempt's container of sweep run {@code index}. */
  @Override
  public Optional<LogChunk> sweepLogsAfter(Task task, int index, LogPosition from) {
    if (task.status().isFinal()) {
      return Optional.empty();
    }
    List<LocalContainers.SweepRun> found = containers.sweepRuns(task).get(index);
    return found == null ? Optional.empty() : logsAfter(found.get(0).containerId(), from);
  }

  /**
   * What a container printed after {@code from}; a container other than the one {@code from} read
   * (another attempt's) is read from its start. Empty when it is gone.
   */
  private Optional<LogChunk> logsAfter(String containerId, LogPosition from) {
    DockerLogCursor cursor =
        containerId.equals(from.source())
            ? DockerLogCursor.decode(from.cursor())
            : DockerLogCursor.START;
    try {
      return containers
          .output
          .logsAfter(containerId, cursor)
          .map(read -> from.next(containerId, read.text(), read.next().encode(), true));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /**
   * The last lines of the current container's output, asked of the engine ({@code tail}), which
   * reads them from the end of its log.
   */
  @Override
  public Optional<String> liveLogTail(Task task, Integer index, int lines) {
    String containerId;
    if (index == null) {
      containerId = task.status().isFinal() ? null : task.containerId();
    } else {
      List<LocalContainers.SweepRun> found =
          task.status().isFinal() ? null : containers.sweepRuns(task).get(index);
      containerId = found == null ? null : found.get(0).containerId();
    }
    if (containerId == null) {
      return Optional.empty();
    }
    return logsOf(containerId, lines).map(text -> LogTail.of(text, lines));
  }

  private Optional<String> logsOf(String containerId) {
    return logsOf(containerId, null);
  }

  /**
   * A container's output (its last {@code lines} lines as the engine counts them, when not null);
   * empty when it is gone. An engine that does not answer is thrown.
   */
  private Optional<String> logsOf(String containerId, Integer lines) {
    try {
      if (containers.inspect(containerId).isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(containers.output.logs(containerId, lines));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
