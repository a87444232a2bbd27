package io.batchexecutor.backend.local;

import com.github.dockerjava.api.command.InspectContainerResponse;
import io.batchexecutor.backend.PipelineStep;
import io.batchexecutor.backend.StepContext;
import io.batchexecutor.backend.StepResult;
import io.batchexecutor.backend.SweepResults;
import io.batchexecutor.runner.RunnerContract;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.storage.ObjectTooLargeException;
import io.batchexecutor.task.Sweep;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskError;
import io.batchexecutor.task.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;

/**
 * A parameter sweep on the local engine: one container per combination, up to {@code parallel} at
 * once, each run's outcome stored under {@code sweep/<index>/} as soon as it ends (an exception of
 * the function is that combination's outcome; a container that ends without a result, or runs past
 * the time limit, gives an error entry). When all have ended the outcomes are gathered into the
 * task's result ({@link SweepResults}). A run whose container ended without a result for a reason
 * outside the function (killed, runner failure; not out of memory) is tried again, up to {@code
 * retry_attempts}, as Batch retries an array job's child: {@link AttemptPolicy} decides, as for a
 * task's one run, and {@link SweepAttempts} launches the next attempt or makes the run's error.
 * After a crash, runs with a stored outcome are done, each other run's latest container is found by
 * name, and the rest are started: no combination runs more often than its attempts allow.
 */
class RunSweep implements PipelineStep {

  private static final long WAIT_SLICE_MILLIS = 100;

  /** How often at most the task's status reason tells how many runs have ended. */
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);

  private final LocalContainers containers;
  private final ObjectStores stores;
  private final JsonMapper json;
  private final int parallel;
  private final SweepLogs logs;
  private final AttemptLauncher launcher;
  private final SweepAttempts attempts;

  RunSweep(LocalContainers containers, ObjectStores stores, JsonMapper json, int parallel) {
    this.containers = containers;
    this.stores = stores;
    this.json = json;
    this.parallel = Math.max(1, parallel);
    this.logs = new SweepLogs(containers, stores);
    this.launcher = new ContainerLauncher(containers);
    this.attempts = new SweepAttempts(launcher, json);
  }

  @Override
  public boolean handles(Task task) {
    return task.spec().hasSweep()
        && ((task.status() == TaskStatus.BUILDING && task.imageRef() != null)
            || task.status() == TaskStatus.SUBMITTED
            || task.status() == TaskStatus.RUNNING);
  }

  private record Run(String containerId, int attempt, Instant deadline) {}

  @Override
  public StepResult run(Task task, StepContext context) throws InterruptedException {
    int runs = (int) Sweep.runCount(task.spec().sweep()); // at most MAX_COMBINATIONS
    // each change of status is stored before the runs go on, so that the task shows RUNNING
    // while they do rather than the status it had when this step began
    if (task.status() == TaskStatus.BUILDING) {
      containers.recordCpuLimit(task, context.now());
      task.sweepLaunched(runs, Math.min(parallel, runs), context.now());
      task.attemptStarted(1, Map.of("runs", runs), context.now());
      return StepResult.statusFirst();
    }
    if (task.status() == TaskStatus.SUBMITTED) {
      task.observe(TaskStatus.RUNNING, "running " + runs + " combinations", context.now());
      return StepResult.statusFirst();
    }
    Set<Integer> done = new HashSet<>();
    Map<Integer, Run> active = new LinkedHashMap<>();
    resume(task, runs, done, active, context);
    int next = 0;
    boolean progressed = false;
    Instant lastProgress = Instant.MIN;
    while (done.size() < runs) {
      if (context.stopRequested()) {
        return StepResult.proceed(); // cancel or lost lease: the pipeline decides what follows
      }
      next = startRuns(task, next, runs, done, active, context);
      progressed |= awaitEnds(task, done, active, context);
      if (progressed && !context.now().isBefore(lastProgress.plus(PROGRESS_EVERY))) {
        context.progress(
            "running "
                + runs
                + " combinations: "
                + done.size()
                + " ended, "
                + active.size()
                + " running");
        lastProgress = context.now();
        progressed = false;
      }
    }
    task.logsCollected(logs.storeAll(task, runs));
    long bound = containers.output.maxResult().bytes();
    try {
      task.succeed(SweepResults.gather(task, stores, json, bound), 0, context.now());
    } catch (ObjectTooLargeException e) { // the runs' results together: more than one file holds
      String reason = containers.output.maxResult().exceeded(RunnerContract.RESULT_FILE, e.size());
      task.fail(reason, new TaskError("ResultTooLarge", reason, null), 0, null, context.now());
    }
    return StepResult.proceed();
  }

  /**
   * The runs as an earlier claim left them (after a crash, say): those with a stored outcome are
   * {@code done}; each other run's latest container is {@code active} again, and the earlier
   * attempts left beside it are removed.
   */
  private void resume(
      Task task, int runs, Set<Integer> done, Map<Integer, Run> active, StepContext context) {
    Map<Integer, List<LocalContainers.SweepRun>> existing = containers.sweepRuns(task);
    for (int i = 0; i < runs; i++) {
      List<LocalContainers.SweepRun> found = existing.getOrDefault(i, List.of());
      if (stored(task, i)) {
        done.add(i);
      } else if (!found.isEmpty()) {
        LocalContainers.SweepRun latest = found.get(0);
        active.put(i, track(task, latest.containerId(), latest.attempt(), context));
        // earlier attempts, left by a crash between starting the next and removing them
        found.stream().skip(1).forEach(r -> containers.remove(r.containerId()));
      }
    }
  }

  /**
   * Starts the runs from {@code next} on that are neither done nor active, until {@code parallel}
   * are active; answers the run to go on from.
   */
  private int startRuns(
      Task task,
      int next,
      int runs,
      Set<Integer> done,
      Map<Integer, Run> active,
      StepContext context) {
    while (active.size() < parallel) {
      while (next < runs && (done.contains(next) || active.containsKey(next))) {
        next++;
      }
      if (next >= runs) {
        break;
      }
      String id = launcher.create(task, 1, next);
      active.put(next, track(task, id, 1, context));
    }
    return next;
  }

  /**
   * Waits a slice for each active run; one that ended (stored, or tried again), or ran past the
   * time limit (killed, with an error entry), is done. Answers whether any run is done now.
   */
  private boolean awaitEnds(
      Task task, Set<Integer> done, Map<Integer, Run> active, StepContext context)
      throws InterruptedException {
    boolean progressed = false;
    for (Iterator<Map.Entry<Integer, Run>> it = active.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Integer, Run> entry = it.next();
      int index = entry.getKey();
      Run run = entry.getValue();
      String id = run.containerId();
      Optional<Integer> exit = containers.awaitExit(id, WAIT_SLICE_MILLIS);
      boolean timedOut = exit.isEmpty() && context.now().isAfter(run.deadline());
      if (exit.isEmpty() && !timedOut) {
        continue;
      }
      if (timedOut) {
        containers.kill(id);
      }
      Optional<Run> retry = ended(task, index, run, exit, context);
      if (retry.isPresent()) {
        entry.setValue(retry.get());
        continue;
      }
      done.add(index);
      it.remove();
      progressed = true;
    }
    return progressed;
  }

  /** Starts the container if it was only created, and works out until when it may run. */
  private Run track(Task task, String id, int attempt, StepContext context) {
    Optional<InspectContainerResponse> inspected =
        containers.inspect(id).flatMap(i -> launcher.startIfCreated(task, i));
    containers.logs.follow(id);
    Instant started =
        inspected
            .map(i -> i.getState().getStartedAt())
            .filter(t -> t != null && !t.startsWith("0001"))
            .map(Instant::parse)
            .orElse(context.now());
    return new Run(id, attempt, started.plusSeconds(task.settings().timeLimit()));
  }

  /**
   * Stores a run's outcome once its container ended (with {@code exit}, or killed past the time
   * limit: empty); or, when it ended without a result and the policy gives the run another attempt,
   * starts the next attempt first and answers it. The next container exists before the last one is
   * removed, so after a crash the highest attempt found is the one to follow.
   */
  private Optional<Run> ended(
      Task task, int index, Run run, Optional<Integer> exit, StepContext context)
      throws InterruptedException {
    String id = run.containerId();
    Map<String, byte[]> files =
        exit.isPresent()
            ? new LinkedHashMap<>(containers.output.outputs(id))
            : new LinkedHashMap<>();
    if (!files.containsKey(RunnerContract.RESULT_FILE)) {
      AttemptOutcome outcome =
          exit.isPresent() ? withoutResult(task, id, exit.get()) : AttemptOutcome.timedOut(task);
      SweepAttempts.Next next = attempts.settleRun(task, index, run.attempt(), outcome, context);
      if (next.retry()) {
        Run retry = track(task, next.containerId(), next.attempt(), context);
        containers.remove(id);
        return Optional.of(retry);
      }
      files.put(RunnerContract.RESULT_FILE, next.error());
    }
    logs.store(task, index, id);
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      put(task, index, file.getKey(), file.getValue());
    }
    containers.remove(id);
    return Optional.empty();
  }

  /** What an attempt that exited with {@code exitCode} and left no result came to. */
  private AttemptOutcome withoutResult(Task task, String id, int exitCode) {
    boolean outOfMemory =
        containers
            .inspect(id)
            .map(i -> Boolean.TRUE.equals(i.getState().getOOMKilled()))
            .orElse(false);
    return outOfMemory
        ? AttemptOutcome.outOfMemory(task, exitCode, null)
        : AttemptOutcome.noResult(
            exitCode,
            "the container for this combination ended with exit code "
                + exitCode
                + " and no result");
  }

  private boolean stored(Task task, int index) {
    return stores
        .get(SweepResults.pointer(task, stores, index, RunnerContract.RESULT_FILE))
        .isPresent();
  }

  private void put(Task task, int index, String name, byte[] bytes) {
    stores
        .primary()
        .put(task.settings().s3BucketName(), SweepResults.key(task, index, name), bytes);
  }
}
