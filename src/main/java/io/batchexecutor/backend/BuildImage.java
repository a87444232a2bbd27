package io.batchexecutor.backend;

import io.batchexecutor.image.ImageBuildException;
import io.batchexecutor.image.ImageBuilder;
import io.batchexecutor.image.TaskImage;
import io.batchexecutor.pipeline.PipelineStep;
import io.batchexecutor.pipeline.StepContext;
import io.batchexecutor.pipeline.StepResult;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.task.Sweep;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskError;
import io.batchexecutor.task.TaskSpec;
import io.batchexecutor.task.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds the task's image (or finds it built: the tag is the content hash). A build failure ends
 * the task FAILED with the build's error as its reason and the build output in the error; an engine
 * that does not answer is the pipeline's to wait for.
 */
public class BuildImage implements PipelineStep {

  private final ImageBuilder builder;
  private final ObjectStores stores;
  private final byte[] runner;
  private final String defaultBaseImage;
  private final JsonMapper json;
  private final boolean s3Results;

  public BuildImage(
      ImageBuilder builder,
      ObjectStores stores,
      byte[] runner,
      String defaultBaseImage,
      JsonMapper json,
      boolean s3Results) {
    this.s3Results = s3Results;
    this.builder = builder;
    this.stores = stores;
    this.runner = runner;
    this.defaultBaseImage = defaultBaseImage;
    this.json = json;
  }

  @Override
  public boolean handles(Task task) {
    return task.status() == TaskStatus.BUILDING && task.imageRef() == null;
  }

  @Override
  public StepResult run(Task task, StepContext context) {
    TaskImage image = imageOf(task);
    try {
      ImageBuilder.Built built = builder.build(image);
      if (!built.reused()) {
        stores
            .primary()
            .put(
                task.settings().s3BucketName(),
                TaskObjects.key(task, "build.log"),
                built.buildLog().getBytes(StandardCharsets.UTF_8));
      }
      task.imageBuilt(built.reference(), built.reused(), context.now());
    } catch (ImageBuildException e) {
      task.fail(
          e.getMessage(),
          new TaskError("ImageBuildFailed", e.getMessage(), tail(e.buildLog())),
          null,
          null,
          context.now());
    }
    return StepResult.proceed();
  }

  /** The image a task runs in. */
  public TaskImage imageOf(Task task) {
    TaskSpec spec = task.spec();
    TaskSpec.ImageSpec image = spec.image();
    String base = image != null && image.baseImage() != null ? image.baseImage() : defaultBaseImage;
    List<String> requirements =
        image != null && image.requirements() != null ? image.requirements() : List.of();
    return TaskImage.of(
        new TaskImage.Environment(base, requirements, s3Results),
        new TaskImage.Payload(
            spec.function().source(),
            spec.function().name(),
            spec.args(),
            spec.kwargs(),
            spec.hasSweep() ? json.valueToTree(Sweep.combinations(spec.sweep())) : null),
        runner,
        json);
  }

  private static String tail(String log) {
    return log.length() <= 20_000 ? log : "...\n" + log.substring(log.length() - 20_000);
  }
}
