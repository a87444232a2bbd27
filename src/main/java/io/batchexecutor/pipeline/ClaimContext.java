package io.batchexecutor.pipeline;

import io.batchexecutor.backend.PipelineStep;
import io.batchexecutor.backend.StepContext;
import io.batchexecutor.task.EventKind;
import io.batchexecutor.task.HeldTasks;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskEvent;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * What the steps of one claim of a task may ask of the pipeline ({@link ExecutePicked}): the time,
 * whether to stop, a progress note or an event written at once under the claim's lease, and whether
 * the running step runs on the task for the first time.
 */
final class ClaimContext implements StepContext {

  private final UUID id;
  private final BooleanSupplier stopRequested;
  private final HeldTasks held;
  private final Clock clock;
  private final String leaseOwner;

  /** The steps that could have run on the task before this claim, and those run during it. */
  private final Set<PipelineStep> mayHaveRun = new HashSet<>();

  private PipelineStep running;

  ClaimContext(
      Task claimed,
      BooleanSupplier stopRequested,
      List<PipelineStep> steps,
      HeldTasks held,
      Clock clock,
      String leaseOwner) {
    this.id = claimed.id();
    this.stopRequested = stopRequested;
    this.held = held;
    this.clock = clock;
    this.leaseOwner = leaseOwner;
    steps.stream().filter(s -> s.handles(claimed)).forEach(mayHaveRun::add);
  }

  /** {@code step} runs now. */
  void stepStarts(PipelineStep step) {
    running = step;
  }

  /** {@code step} ran on the task during this claim. */
  void stepRan(PipelineStep step) {
    mayHaveRun.add(step);
  }

  @Override
  public Instant now() {
    return clock.instant();
  }

  @Override
  public boolean stopRequested() {
    return stopRequested.getAsBoolean();
  }

  @Override
  public void progress(String reason) {
    held.progress(id, leaseOwner, reason, clock.instant());
  }

  @Override
  public void recordNow(EventKind kind, String reason, Map<String, Object> details) {
    held.recordNow(
        id, leaseOwner, new TaskEvent(clock.instant(), kind, null, null, reason, details));
  }

  @Override
  public boolean firstRun() {
    return !mayHaveRun.contains(running);
  }
}
