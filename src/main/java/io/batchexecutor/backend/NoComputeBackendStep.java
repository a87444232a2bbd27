package io.batchexecutor.backend;

import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskError;

/** With {@code batch-executor.backend=none}, tasks are tracked but cannot run: each one fails. */
public class NoComputeBackendStep implements PipelineStep {

  static final String REASON = "no compute backend is configured";

  @Override
  public boolean handles(Task task) {
    return !task.status().isFinal();
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
