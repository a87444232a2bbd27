package io.batchexecutor.backend.local;

import io.batchexecutor.backend.PipelineStep;
import io.batchexecutor.backend.StepContext;
import io.batchexecutor.backend.StepResult;
import io.batchexecutor.backend.TaskInputs;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import java.util.Map;
import java.util.function.Consumer;

/**
 * BUILDING (image built) → SUBMITTED → RUNNING: launches the first attempt's container (created, or
 * found after a crash, and started) through the {@link AttemptLauncher}; a task whose staged upload
 * is gone fails ({@code UploadNotFound}); one whose image the engine no longer has goes back to
 * find or build it.
 */
class LaunchContainer implements PipelineStep {

  private final LocalContainers containers;
  private final AttemptLauncher launcher;
  private final Consumer<String> imageGone;

  /**
   * @param imageGone told the reference of an image the engine no longer has
   */
  LaunchContainer(LocalContainers containers, Consumer<String> imageGone) {
    this.containers = containers;
    this.launcher = new ContainerLauncher(containers);
    this.imageGone = imageGone;
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
    String id;
    try {
      id = launcher.launch(task, attempt);
    } catch (TaskInputs.UploadGoneException e) {
      TaskInputs.failUploadGone(task, e, context.now());
      return StepResult.proceed();
    } catch (ImageGoneException e) {
      // removed from the engine after the task found it (or after it was last seen there)
      imageGone.accept(task.imageRef());
      task.imageGone(task.imageRef(), context.now());
      return StepResult.proceed();
    }
    task.submittedToContainer(id, context.now());
    task.attemptStarted(attempt, Map.of("container_id", id), context.now());
    task.observe(TaskStatus.RUNNING, "running in container " + id.substring(0, 12), context.now());
    return StepResult.proceed();
  }
}
