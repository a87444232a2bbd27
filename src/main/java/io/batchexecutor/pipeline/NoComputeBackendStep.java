package io.batchexecutor.pipeline;

import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskError;
import io.batchexecutor.task.TaskStatus;
import java.util.EnumSet;
import java.util.Set;

/** With {@code batch-executor.backend=none}, tasks are tracked but cannot run: each one fails. */
public class NoComputeBackendStep implements PipelineStep {

  static final String REASON = "no compute backend is configured";

  @Override
  public Set<TaskStatus> handles() {
    Set<TaskStatus> all = EnumSet.allOf(TaskStatus.class);
    all.removeIf(TaskStatus::isFinal);
    return all;
  }

  @Override
  public StepResult run(Task task, StepContext context) {
    task.fail(
        REASON + " (set batch-executor.backend to local or awsbatch)",
        new TaskError("NoComputeBackend", REASON, null),
        null,
        null,
        context.now());
    return StepResult.proceed();
  }
}
