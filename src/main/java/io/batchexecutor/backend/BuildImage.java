package io.batchexecutor.backend;

import io.batchexecutor.config.PayloadMode;
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
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Builds the task's image, or finds it built (the tag is a content hash).
 *
 * <p>{@code staged} (see {@link PayloadMode}): the image is the task's environment, shared by every
 * task with the same base image, requirements and runner; the call is written to the object store
 * as {@code payload.json} under the task's prefix (the same bytes however often this runs), and the
 * backend hands it to the container. {@code baked}: the call is built into an image of its own.
 *
 * <p>A build failure ends the task FAILED with the build's error as its reason and the build output
 * in the error; an engine or store that does not answer is the pipeline's to wait for.
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
    boolean staged = task.spec().payloadMode() == PayloadMode.STAGED;
    try {
      ImageBuilder.Built built =
          staged ? buildEnvironment(task) : builder.build(bakedImageOf(task));
      if (staged) {
        stagePayload(task);
      }
      if (!built.reused()) {
        stores
            .primary()
            .put(
                task.settings().s3BucketName(),
                TaskObjects.key(task, "build.log"),
                built.buildLog().getBytes(StandardCharsets.UTF_8));
      }
      task.imageBuilt(built.reference(), built.reused(), staged, context.now());
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

  /**
   * The environment image, built unless it exists. Its tag includes the base image's id where the
   * engine has the base image; where it does not, the build pulls it, and the image is then also
   * tagged under the name that includes the id, so the next task finds it without building.
   */
  private ImageBuilder.Built buildEnvironment(Task task) {
    TaskImage.Environment environment = environmentOf(task);
    Optional<String> baseId = builder.imageId(environment.baseImage());
    TaskImage image = TaskImage.environment(environment, runner, baseId.orElse(null), json);
    ImageBuilder.Built built = builder.build(image);
    if (baseId.isEmpty()) {
      Optional<String> pulled = builder.imageId(environment.baseImage());
      if (pulled.isPresent()) {
        builder.alias(
            built.reference(),
            TaskImage.environment(environment, runner, pulled.get(), json).localReference());
      }
    }
    return built;
  }

  /** Writes the call where the runner reads it: {@code payload.json} under the task's prefix. */
  private void stagePayload(Task task) {
    try {
      stores
          .primary()
          .put(
              task.settings().s3BucketName(),
              TaskObjects.key(task, TaskObjects.PAYLOAD),
              TaskImage.payloadJson(payloadOf(task, json), json));
    } catch (RuntimeException e) {
      // the cause stays attached, so a store that does not answer is still waited out
      throw new IllegalStateException(
          "the object store did not take payload.json: " + e.getMessage(), e);
    }
  }

  /** The image a baked task runs in: its call built in. */
  public TaskImage bakedImageOf(Task task) {
    return TaskImage.of(environmentOf(task), payloadOf(task, json), runner, json);
  }

  private TaskImage.Environment environmentOf(Task task) {
    TaskSpec.ImageSpec image = task.spec().image();
    String base = image != null && image.baseImage() != null ? image.baseImage() : defaultBaseImage;
    List<String> requirements =
        image != null && image.requirements() != null ? image.requirements() : List.of();
    return new TaskImage.Environment(base, requirements, s3Results);
  }

  /** What the runner calls for {@code task}. */
  public static TaskImage.Payload payloadOf(Task task, JsonMapper json) {
    TaskSpec spec = task.spec();
    return new TaskImage.Payload(
        spec.function().source(),
        spec.function().name(),
        spec.args(),
        spec.kwargs(),
        spec.hasSweep() ? json.valueToTree(Sweep.combinations(spec.sweep())) : null);
  }

  private static String tail(String log) {
    return log.length() <= 20_000 ? log : "...\n" + log.substring(log.length() - 20_000);
  }
}
