package io.batchexecutor.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchexecutor.backend.BackOff;
import io.batchexecutor.backend.ComputeBackend;
import io.batchexecutor.backend.PipelineStep;
import io.batchexecutor.backend.StepContext;
import io.batchexecutor.backend.StepResult;
import io.batchexecutor.backend.Unreachable;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.TaskBuilder;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskRepository;
import io.batchexecutor.task.TaskStatus;
import io.batchexecutor.task.WorkQueue;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.channels.ClosedByInterruptException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * What the pipeline records when a step throws: an interruption (a stopping instance) leaves the
 * task as it was; any other failure ends it FAILED with the error.
 */
@ServiceTest
class ExecutePickedTest {

  @Autowired TaskRepository tasks;
  @Autowired WorkQueue queue;
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @Test
  void aStepInterruptedByAStoppingInstanceLeavesTheTaskAsItWas() {
    Task task = stored();
    ExecutePicked execute = executing(new RuntimeException(new ClosedByInterruptException()));

    assertThatThrownBy(() -> execute.execute(claimed(task), () -> false))
        .isInstanceOf(InterruptedException.class);

    assertThat(Thread.interrupted()).as("the interrupt goes on").isTrue();
    assertThat(tasks.find(task.id()).orElseThrow().status()).isEqualTo(TaskStatus.QUEUED);
    assertThat(stepsTimed("interrupted")).isEqualTo(1);
  }

  @Test
  void anyOtherFailureOfAStepFailsTheTaskWithTheError() throws InterruptedException {
    Task task = stored();

    executing(new IllegalStateException("broken step")).execute(claimed(task), () -> false);

    Task failed = tasks.find(task.id()).orElseThrow();
    assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(failed.statusReason()).contains("broken step");
    assertThat(stepsTimed("failed")).isEqualTo(1);
  }

  @Test
  void aStepTheTaskReachedDuringTheClaimRunsForTheFirstTimeOneItWasClaimedInMayNot()
      throws InterruptedException {
    Task task = stored();
    List<Boolean> seen = new java.util.ArrayList<>();
    PipelineStep start =
        step(TaskStatus.QUEUED, (t, c) -> t.startBuilding(c.now()), StepResult.proceed());
    PipelineStep next =
        step(
            TaskStatus.BUILDING,
            (t, c) -> seen.add(c.firstRun()),
            StepResult.releaseFor(Duration.ZERO));
    ExecutePicked execute = executing(List.of(start, next));

    execute.execute(claimed(task), () -> false);
    assertThat(tasks.find(task.id()).orElseThrow().status()).isEqualTo(TaskStatus.BUILDING);
    execute.execute(claimed(task), () -> false);

    assertThat(seen)
        .as("reached by the step before it, then claimed in its state after a release")
        .containsExactly(true, false);
  }

  private static PipelineStep step(
      TaskStatus status, java.util.function.BiConsumer<Task, StepContext> work, StepResult result) {
    return new PipelineStep() {
      @Override
      public boolean handles(Task task) {
        return task.status() == status;
      }

      @Override
      public StepResult run(Task task, StepContext context) {
        work.accept(task, context);
        return result;
      }
    };
  }

  private long stepsTimed(String outcome) {
    return meters
        .get(ExecutePicked.STEP_TIMER)
        .tags("backend", "test", "outcome", outcome)
        .timer()
        .count();
  }

  private Task stored() {
    Task task = TaskBuilder.aTask().build();
    tasks.insert(task, null, null);
    return task;
  }

  private Task claimed(Task task) {
    return tasks.find(task.id()).orElseThrow();
  }

  private ExecutePicked executing(RuntimeException failure) {
    return executing(
        List.of(
            step(
                TaskStatus.QUEUED,
                (t, c) -> {
                  throw failure;
                },
                StepResult.proceed())));
  }

  private ExecutePicked executing(List<PipelineStep> steps) {
    ComputeBackend backend =
        new ComputeBackend() {
          @Override
          public String name() {
            return "test";
          }

          @Override
          public List<PipelineStep> steps() {
            return steps;
          }

          @Override
          public void stop(Task task) {}

          @Override
          public Optional<Unreachable> unreachable(Throwable e) {
            return Optional.empty();
          }
        };
    return new ExecutePicked(
        tasks,
        queue,
        backend,
        Clock.systemUTC(),
        "test-instance",
        new BackOff(Duration.ofSeconds(60), Duration.ofMinutes(30)),
        meters);
  }
}
