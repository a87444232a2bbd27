package io.batchexecutor.backend.local;

import com.github.dockerjava.api.command.InspectContainerResponse;
import io.batchexecutor.backend.PipelineStep;
import io.batchexecutor.backend.ResultDigests;
import io.batchexecutor.backend.RunnerOutcome;
import io.batchexecutor.backend.StepContext;
import io.batchexecutor.backend.StepResult;
import io.batchexecutor.runner.RunnerContract;
import io.batchexecutor.runner.RunnerResult;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.task.SubWorkflows;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskObjects;
import io.batchexecutor.task.TaskStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.TaskScheduler;
import tools.jackson.databind.json.JsonMapper;

/**
 * SUBMITTED/RUNNING → SUCCEEDED/FAILED: waits on the container (docker's wait call, not polling),
 * enforces the time limit, collects the runner's result and the container's output into the object
 * store, removes the container, and records what the attempt came to ({@link AttemptOutcome})
 * through {@link TaskAttempts}: the task's end, or, as {@link AttemptPolicy} decides for an attempt
 * that ended without a result for reasons outside the user's code, the next attempt.
 */
class AwaitContainer implements PipelineStep {

  private static final Logger log = LoggerFactory.getLogger(AwaitContainer.class);

  static final int EXIT_RAISED = RunnerContract.EXIT_RAISED;
  private static final long WAIT_SLICE_MILLIS = 250;

  private final LocalContainers containers;

  /** How long after a successful attempt its container is removed. */
  static final Duration REMOVE_AFTER = Duration.ofSeconds(1);

  private final TaskScheduler collector;

  /** Removals go one at a time, so that they do not crowd the engine while containers start. */
  private final ReentrantLock oneRemovalAtATime = new ReentrantLock();

  private final ObjectStores stores;
  private final JsonMapper json;
  private final AttemptLauncher launcher;
  private final TaskAttempts attempts;

  AwaitContainer(
      LocalContainers containers,
      ObjectStores stores,
      JsonMapper json,
      TaskScheduler collector,
      SubWorkflows subWorkflows) {
    this.launcher = new ContainerLauncher(containers);
    this.attempts = new TaskAttempts(launcher, subWorkflows);
    this.collector = collector;
    this.containers = containers;
    this.stores = stores;
    this.json = json;
  }

  @Override
  public boolean handles(Task task) {
    return (task.status() == TaskStatus.SUBMITTED || task.status() == TaskStatus.RUNNING)
        && task.containerId() != null;
  }

  @Override
  public StepResult run(Task task, StepContext context) throws InterruptedException {
    AttemptOutcome outcome = awaitAttempt(task, context);
    attempts.settle(task, outcome, context.now());
    return StepResult.proceed();
  }

  /** Waits for the task's current attempt to end, and collects what it left: what it came to. */
  private AttemptOutcome awaitAttempt(Task task, StepContext context) throws InterruptedException {
    String id = task.containerId();
    Optional<InspectContainerResponse> inspected = containers.inspect(id);
    if (inspected.isEmpty()) {
      return containerGone(task);
    }
    InspectContainerResponse.ContainerState state =
        launcher.startIfCreated(task, inspected.get()).orElseThrow().getState();
    if (task.status() == TaskStatus.SUBMITTED) {
      task.observe(
          TaskStatus.RUNNING, "running in container " + id.substring(0, 12), context.now());
    }
    containers.logs.follow(id); // from its start: the head is kept while it runs
    Instant started = parse(state.getStartedAt()).orElse(context.now());
    Instant deadline = started.plusSeconds(task.settings().timeLimit());
    Optional<Integer> exit = Optional.empty();
    while (exit.isEmpty()) {
      if (context.stopRequested()) {
        return AttemptOutcome.stopped(); // cancel or lost lease: the pipeline decides what follows
      }
      long left = Duration.between(context.now(), deadline).toMillis();
      if (left <= 0) {
        return timedOut(task, id);
      }
      exit = containers.awaitExit(id, Math.min(left, WAIT_SLICE_MILLIS));
    }
    return finished(task, inspected.get(), exit.get());
  }

  private AttemptOutcome timedOut(Task task, String id) throws InterruptedException {
    containers.kill(id);
    storeLogs(task, id);
    containers.remove(id);
    return AttemptOutcome.timedOut(task);
  }

  /**
   * Collects the end of {@code container} (as inspected before its end: its mounts and environment
   * are what the output is read by): what it came to.
   */
  private AttemptOutcome finished(Task task, InspectContainerResponse container, int exitCode)
      throws InterruptedException {
    String id = container.getId();
    Map<String, byte[]> outputs = containers.output.outputs(container, ContainerOutput.taken(task));
    String bucket = task.settings().s3BucketName();
    for (String name : outputs.keySet()) {
      if (!name.equals(TaskObjects.RESULT)) {
        // the streams and the kept files beside result.json, where the runner on AWS Batch puts
        // them too; only files the task's files keep were taken (ContainerOutput.taken)
        stores.primary().put(bucket, TaskObjects.key(task, name), outputs.get(name));
      }
    }
    storeLogs(task, id);
    // last: a stored result.json tells a later look (containerGone) that all was collected
    URI result =
        outputs.containsKey(TaskObjects.RESULT)
            ? stores
                .primary()
                .put(
                    bucket,
                    TaskObjects.key(task, TaskObjects.RESULT),
                    outputs.get(TaskObjects.RESULT))
            : null;
    if (result != null) {
      task.resultsCollected(ResultDigests.of(outputs));
    }
    RunnerResult document =
        result == null ? null : RunnerResult.parse(json, outputs.get(TaskObjects.RESULT));
    String pointer = result == null ? null : result.toString();
    if (exitCode == 0 && document != null && document.returned()) {
      // the common case does not wait for the removal, which comes a moment later so that it
      // does not slow the start of the next container; a crash before it leaves an exited
      // container behind, which holds nothing but that task's finished output
      collector.schedule(() -> removeAlone(id), Instant.now().plus(REMOVE_AFTER));
      return AttemptOutcome.returned(exitCode, document, pointer);
    }
    // only an attempt that did not return asks the engine whether it ran out of memory
    boolean oomKilled =
        containers
            .inspect(id)
            .map(i -> Boolean.TRUE.equals(i.getState().getOOMKilled()))
            .orElse(false);
    containers.remove(id);
    if (exitCode == EXIT_RAISED && RunnerOutcome.raised(document)) {
      return AttemptOutcome.raised(exitCode, document, pointer);
    }
    if (oomKilled) {
      return AttemptOutcome.outOfMemory(task, exitCode, pointer);
    }
    return AttemptOutcome.noResult(
        exitCode,
        "the container exited with code "
            + exitCode
            + (document == null ? " without a result" : " with an unexpected result"));
  }

  private void removeAlone(String id) {
    oneRemovalAtATime.lock();
    try {
      removeQuietly(id);
    } finally {
      oneRemovalAtATime.unlock();
    }
  }

  private void removeQuietly(String id) {
    try {
      containers.remove(id);
    } catch (RuntimeException e) {
      // the engine is away: the leftover sweep removes it later
      log.debug("Could not remove container {}: {}", id, e.getMessage());
    }
  }

  /** The container is gone: its result, when it was stored before, else a lost attempt. */
  private AttemptOutcome containerGone(Task task) {
    // the container was removed after its result was stored, before the task was updated
    String pointer =
        stores
            .primary()
            .locate(task.settings().s3BucketName(), TaskObjects.key(task, TaskObjects.RESULT))
            .toString();
    Optional<byte[]> stored = stores.get(pointer);
    if (stored.isPresent()) {
      // what this instance stored a moment before it lost track of the container
      Map<String, byte[]> files = new java.util.LinkedHashMap<>();
      files.put(TaskObjects.RESULT, stored.get());
      stores
          .get(TaskObjects.besideResult(pointer, TaskObjects.PICKLE))
          .ifPresent(pickle -> files.put(TaskObjects.PICKLE, pickle));
      task.resultsCollected(ResultDigests.of(files));
      RunnerResult document = RunnerResult.parse(json, stored.get());
      return RunnerOutcome.returned(document)
          ? AttemptOutcome.returned(0, document, pointer)
          : AttemptOutcome.raised(EXIT_RAISED, document, pointer);
    }
    return AttemptOutcome.lost(
        "the container " + task.containerId().substring(0, 12) + " disappeared");
  }

  /** Stores what the container printed, within {@code max-log-size}, streamed from a file. */
  private void storeLogs(Task task, String id) throws InterruptedException {
    try (BoundedLog output = containers.logs.take(id)) {
      URI pointer =
          stores
              .primary()
              .put(
                  task.settings().s3BucketName(),
                  TaskObjects.key(task, "logs.txt"),
                  output.finish());
      task.logsCollected(pointer.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the output of container " + id, e);
    }
  }

  private static Optional<Instant> parse(String dockerTime) {
    try {
      return dockerTime == null || dockerTime.startsWith("0001")
          ? Optional.empty()
          : Optional.of(Instant.parse(dockerTime));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
