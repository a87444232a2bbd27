package io.batchexecutor.pipeline;

import io.batchexecutor.backend.BackOff;
import io.batchexecutor.backend.ComputeBackend;
import io.batchexecutor.backend.PipelineStep;
import io.batchexecutor.backend.StepResult;
import io.batchexecutor.backend.Unreachable;
import io.batchexecutor.task.HeldTasks;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskError;
import io.batchexecutor.task.TaskRepository;
import io.batchexecutor.task.TaskStatus;
import io.batchexecutor.task.WorkQueue;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one claimed task: runs the step for its status, writes the result (version-checked), and
 * goes on with the next step until the task is final or a step gives it back for later. A cancel
 * request stops the backend's work and records CANCELLED. A step that finds a service unreachable
 * (the backend says which failures mean that) leaves the task where it is, records why it waits and
 * gives it back for a {@link BackOff}; any other failure of a step fails the task with the error as
 * its reason: nothing is swallowed, nothing is retried blindly.
 */
public class ExecutePicked {

  private static final Logger log = LoggerFactory.getLogger(ExecutePicked.class);

  private final TaskRepository tasks;
  private final HeldTasks held;
  private final WorkQueue queue;
  private final ComputeBackend backend;
  private final List<PipelineStep> steps;
  private final Clock clock;
  private final String leaseOwner;
  private final BackOff backOff;
  private final MeterRegistry meters;
  private final WakeUp wakeUp;

  /**
   * How long each step took, by backend, step and outcome ({@code proceeded}, {@code released},
   * {@code failed}, {@code unreachable}, {@code interrupted}).
   */
  static final String STEP_TIMER = "batch.executor.step";

  public ExecutePicked(
      TaskRepository tasks,
      HeldTasks held,
      WorkQueue queue,
      ComputeBackend backend,
      Clock clock,
      String leaseOwner,
      BackOff backOff,
      MeterRegistry meters) {
    this(tasks, held, queue, backend, clock, leaseOwner, backOff, meters, new WakeUp());
  }

  /**
   * @param wakeUp told when a task given back for later comes due, so the claim loop wakes then
   */
  ExecutePicked(
      TaskRepository tasks,
      HeldTasks held,
      WorkQueue queue,
      ComputeBackend backend,
      Clock clock,
      String leaseOwner,
      BackOff backOff,
      MeterRegistry meters,
      WakeUp wakeUp) {
    this.wakeUp = wakeUp;
    this.meters = meters;
    this.backOff = backOff;
    this.tasks = tasks;
    this.held = held;
    this.queue = queue;
    this.backend = backend;
    this.clock = clock;
    this.leaseOwner = leaseOwner;
    this.steps = List.copyOf(backend.steps());
  }

  /**
   * Works on {@code claimed} until it is final or released.
   *
   * @param stopRequested tells whether the task should stop: a cancel request arrived, or the lease
   *     was lost
   */
  public void execute(Task claimed, BooleanSupplier stopRequested) throws InterruptedException {
    Task task = claimed;
    UUID id = task.id();
    ClaimContext context = new ClaimContext(claimed, stopRequested, steps, held, clock, leaseOwner);
    // a task WAITING again (for the sub-workflow it returned) is taken up by its workflow, not here
    while (!task.status().isFinal() && task.status() != TaskStatus.WAITING) {
      if (task.cancelRequested()) { // read with the claim and with every reload
        try {
          cancel(task);
        } catch (RuntimeException e) {
          rethrowIfInterrupted(e);
          backOffOrFail(id, "Cancel", e);
        }
        return;
      }
      Task current = task;
      PipelineStep step = steps.stream().filter(s -> s.handles(current)).findFirst().orElse(null);
      if (step == null) {
        task.fail(
            "the " + backend.name() + " backend has no step for status " + task.status(),
            new TaskError("PipelineError", "no step for " + task.status(), null),
            null,
            null,
            clock.instant());
        tasks.update(task);
        return;
      }
      Optional<StepResult> result = run(step, task, context);
      if (result.isEmpty()) {
        return; // the step failed: the task waits for a service, or it failed
      }
      if (result.get().next() == StepResult.Next.CONTINUE_UNWRITTEN
          && !task.status().isFinal()
          && !context.stopRequested()) {
        continue; // written with the next step's change; a cancel request is read by a write
      }
      task.reachableAgain(clock.instant());
      Optional<Task> written =
          task.status().isFinal()
              ? Optional.of(task).filter(tasks::update) // the loop ends: nothing to read
              : tasks.updateAndRead(task);
      if (written.isEmpty()) {
        return; // another writer won; whoever holds the task now goes on with it
      }
      if (result.get().next() == StepResult.Next.RELEASE && !task.status().isFinal()) {
        Instant now = clock.instant();
        if (queue.releaseAfterStep(id, leaseOwner, now.plus(result.get().after()), now)) {
          wakeUp.signal(); // a cancel request came while the step ran: it is taken up at once
        } else {
          wakeUp.signalAfter(result.get().after());
        }
        return;
      }
      task = written.get(); // as stored, with a cancel requested meanwhile
    }
  }

  /**
   * Runs {@code step} on {@code task}, timed by its outcome. Empty when the step threw: the task
   * was then given back to wait, or failed ({@link #backOffOrFail}).
   */
  private Optional<StepResult> run(PipelineStep step, Task task, ClaimContext context)
      throws InterruptedException {
    Timer.Sample timing = Timer.start(meters);
    String outcome = "failed";
    context.stepStarts(step);
    try {
      StepResult result = step.run(task, context);
      context.stepRan(step);
      outcome = result.next() == StepResult.Next.RELEASE ? "released" : "proceeded";
      return Optional.of(result);
    } catch (InterruptedException e) {
      outcome = "interrupted";
      throw e;
    } catch (RuntimeException e) {
      outcome = "interrupted";
      rethrowIfInterrupted(e);
      outcome = backend.unreachable(e).isPresent() ? "unreachable" : "failed";
      backOffOrFail(task.id(), step.getClass().getSimpleName(), e);
      return Optional.empty();
    } finally {
      timing.stop(
          meters.timer(
              STEP_TIMER,
              "backend",
              backend.name(),
              "step",
              step.getClass().getSimpleName(),
              "outcome",
              outcome));
    }
  }

  /**
   * A step interrupted by a stopping instance (Docker's client reports it as a closed channel
   * wrapped in a runtime exception) says nothing about the task: it is not failed, the interrupt
   * goes on, and the lease goes back with the graceful stop.
   */
  private static void rethrowIfInterrupted(RuntimeException e) throws InterruptedException {
    boolean interrupted = Thread.currentThread().isInterrupted();
    for (Throwable t = e; t != null && !interrupted; t = t.getCause()) {
      interrupted =
          t instanceof InterruptedException
              || t instanceof java.nio.channels.ClosedByInterruptException
              || t instanceof java.io.InterruptedIOException;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
      InterruptedException stop = new InterruptedException("interrupted: " + e.getMessage());
      stop.initCause(e);
      throw stop;
    }
  }

  /**
   * After {@code stepName} threw {@code e}: a wait when the backend calls the failure unreachable,
   * else the end of the task with the error as its reason.
   */
  private void backOffOrFail(UUID id, String stepName, RuntimeException e) {
    Task fresh = reload(id);
    if (fresh == null || fresh.status().isFinal()) {
      return;
    }
    Instant now = clock.instant();
    Optional<Unreachable> unreachable = backend.unreachable(e);
    if (unreachable.isPresent()) {
      log.info("Task {} waits: {}", id, unreachable.get().description());
      Duration delay = backOff.apply(fresh, unreachable.get(), now);
      if (tasks.update(fresh) && delay != null) {
        queue.release(id, leaseOwner, now.plus(delay));
        wakeUp.signalAfter(delay);
      }
      return;
    }
    log.warn("Step {} failed for task {}", stepName, id, e);
    String described = backend.describe(e);
    fresh.fail(
        stepName + " failed: " + described,
        new TaskError(e.getClass().getSimpleName(), described, null),
        null,
        null,
        now);
    tasks.update(fresh);
  }

  private void cancel(Task task) throws InterruptedException {
    if (task.status() != TaskStatus.QUEUED) {
      backend.stop(task);
    }
    task.cancel(
        task.cancelReason() != null ? task.cancelReason() : "cancelled on request",
        clock.instant());
    tasks.update(task);
  }

  private Task reload(UUID id) {
    return tasks.find(id).orElse(null);
  }
}
