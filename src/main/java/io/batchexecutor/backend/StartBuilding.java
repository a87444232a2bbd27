package io.batchexecutor.backend;

import io.batchexecutor.pipeline.PipelineStep;
import io.batchexecutor.pipeline.StepContext;
import io.batchexecutor.pipeline.StepResult;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;

/** QUEUED → BUILDING: written before the build starts, so a client sees the task being built. */
public class StartBuilding implements PipelineStep {

  @Override
  public boolean handles(Task task) {
    return task.status() == TaskStatus.QUEUED;
  }

  @Override
  public StepResult run(Task task, StepContext context) {
    task.startBuilding(context.now());
    return StepResult.proceed();
  }
}
