package io.batchexecutor.backend.local;

import io.batchexecutor.backend.PipelineStep;
import io.batchexecutor.backend.StepContext;
import io.batchexecutor.backend.StepResult;
import io.batchexecutor.backend.TaskInputs;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskError;
import io.batchexecutor.task.TaskStatus;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * BUILDING (image built) → SUBMITTED → RUNNING: launches the first attempt's container (created, or
 * found after a crash, and started) through the {@link AttemptLauncher}; a task whose staged upload
 * is gone fails ({@code UploadNotFound}); one whose image the engine no longer has goes back to
 * find or build it: at once the first time, after a second or two the next times, and a task that
 * finds its image gone more than {@link #MOST_IMAGE_GONE} times in a row here (an engine that says
 * it has an image it cannot create a container from) fails ({@code ImageGone}).
 */
class LaunchContainer implements PipelineStep {

  private final LocalContainers containers;
  private final AttemptLauncher launcher;
  private final Consumer<String> imageGone;

  /** How often a task may find its image gone at the create, in a row, on this instance. */
  static final int MOST_IMAGE_GONE = 3;

  /** The tasks that found their image gone, and how often in a row: a few at most at any time. */
  private final Map<UUID, Integer> gone = new ConcurrentHashMap<>();

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
      return imageGone(task, context);
    }
    gone.remove(task.id());
    task.submittedToContainer(id, context.now());
    task.attemptStarted(attempt, Map.of("container_id", id), context.now());
    task.observe(TaskStatus.RUNNING, "running in container " + id.substring(0, 12), context.now());
    return StepResult.proceed();
  }

  private StepResult imageGone(Task task, StepContext context) {
    String image = task.imageRef();
    imageGone.accept(image);
    if (gone.size() > 10_000) {
      gone.clear(); // of tasks that went elsewhere meanwhile: a count starts again
    }
    int times = gone.merge(task.id(), 1, Integer::sum);
    if (times > MOST_IMAGE_GONE) {
      gone.remove(task.id());
      String reason =
          "the engine found the image "
              + image
              + " but could not create a container from it, "
              + times
              + " times in a row";
      task.fail(reason, new TaskError("ImageGone", reason, null), null, null, context.now());
      return StepResult.proceed();
    }
    task.imageGone(image, context.now());
    return times == 1 ? StepResult.proceed() : StepResult.releaseFor(Duration.ofSeconds(times - 1));
  }
}
