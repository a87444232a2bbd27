package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.backend.PipelineStep;
import io.batchexecutor.backend.StepContext;
import io.batchexecutor.backend.StepResult;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;

/** BUILDING (image built) → PUSHING, written before the push starts. */
class StartPushing implements PipelineStep {

  @Override
  public boolean handles(Task task) {
    return task.status() == TaskStatus.BUILDING && task.imageRef() != null;
  }

  @Override
  public StepResult run(Task task, StepContext context) {
    task.startPushing(context.now());
    return StepResult.proceed();
  }
}
