package io.batchexecutor.backend.local;

import io.batchexecutor.backend.PipelineStep;
import io.batchexecutor.backend.StepContext;
import io.batchexecutor.backend.StepResult;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import java.util.Map;

/**
 * BUILDING (image built) → SUBMITTED → RUNNING: creates the first attempt's container (or finds it,
 * after a crash) and starts it.
 */
class LaunchContainer implements PipelineStep {

  private final LocalContainers containers;

  LaunchContainer(LocalContainers containers) {
    this.containers = containers;
  }

  @Override
  public boolean handles(Task task) {
    return task.status() == TaskStatus.BUILDING
        && task.imageRef() != null
        && !task.spec().hasSweep();
  }

  @Override
  public StepResult run(Task task, StepContext context) {
    int attempt = 1;
    containers.recordCpuLimit(task, context.now());
    String id = containers.createOrFind(task, attempt);
    task.submittedToContainer(id, context.now());
    containers.start(task, id);
    task.attemptStarted(attempt, Map.of("container_id", id), context.now());
    task.observe(TaskStatus.RUNNING, "running in container " + id.substring(0, 12), context.now());
    return StepResult.proceed();
  }
}
