package io.batchexecutor.backend;

import io.batchexecutor.config.ImageProperties;
import io.batchexecutor.config.PayloadMode;
import io.batchexecutor.image.BuildSlots;
import io.batchexecutor.image.ImageBuildException;
import io.batchexecutor.image.ImageBuildTimeoutException;
import io.batchexecutor.image.ImageBuilder;
import io.batchexecutor.image.PipInstall;
import io.batchexecutor.image.TaskImage;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskError;
import io.batchexecutor.task.TaskObjects;
import io.batchexecutor.task.TaskSpec;
import io.batchexecutor.task.TaskStatus;
import io.batchexecutor.task.UploadedFiles;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import tools.jackson.databind.json.JsonMapper;

/**
 * QUEUED → BUILDING: builds the task's image, or finds it built (the tag is a content hash).
 *
 * <p>{@code staged} (see {@link PayloadMode}): the image is the task's environment, shared by every
 * task with the same base image, requirements and runner; the call is written to the object store
 * as {@code payload.json} under the task's prefix (the same bytes however often this runs), and the
 * backend hands it to the container. {@code baked}: the call is built into an image of its own.
 *
 * <p>A build failure ends the task FAILED with the build's error as its reason and the build output
 * in the error, as does a build that runs longer than {@code batch-executor.image.build-timeout};
 * an engine or store that does not answer is the pipeline's to wait for. At most {@code
 * batch-executor.image.max-builds-per-client} of a client's tasks are in a build at once here.
 */
public class BuildImage implements PipelineStep {

  /**
   * How long a task waits for a build slot before it tries again, for every {@code
   * max-builds-per-client} of the client's tasks waiting (give or take a quarter).
   */
  static final Duration SLOT_WAIT = Duration.ofSeconds(2);

  /** The longest wait for a build slot before a task tries again. */
  static final Duration MAX_SLOT_WAIT = Duration.ofSeconds(30);

  private final ImageBuilder builder;
  private final ObjectStores stores;
  private final byte[] runner;
  private final ImageProperties settings;
  private final PipInstall pip;
  private final BuildSlots slots;
  private final JsonMapper json;
  private final boolean s3Results;
  private final StageUploads uploads;

  /**
   * Whether an image the engine had a moment ago is taken as there ({@link #takingRecentImages}).
   */
  private final boolean recentImages;

  /**
   * @param settings the image settings: default base image, index, source builds, time-out, and
   *     build slots per client
   */
  public BuildImage(
      ImageBuilder builder,
      ObjectStores stores,
      byte[] runner,
      ImageProperties settings,
      JsonMapper json,
      boolean s3Results) {
    this(builder, stores, runner, settings, json, s3Results, null);
  }

  /**
   * A build step that also stages the uploads a task's {@code files} name beside its payload
   * ({@code uploads} {@code null}: none can be, and a task naming one fails).
   */
  public BuildImage(
      ImageBuilder builder,
      ObjectStores stores,
      byte[] runner,
      ImageProperties settings,
      JsonMapper json,
      boolean s3Results,
      UploadedFiles uploads) {
    this.uploads = new StageUploads(stores, uploads);
    this.recentImages = false;
    this.s3Results = s3Results;
    this.builder = builder;
    this.stores = stores;
    this.runner = runner;
    this.settings = settings;
    this.pip = new PipInstall(settings.indexUrl(), settings.allowSourceBuilds());
    this.slots = new BuildSlots(settings.maxBuildsPerClient());
    this.json = json;
  }

  private BuildImage(BuildImage step, boolean recentImages) {
    this.uploads = step.uploads;
    this.recentImages = recentImages;
    this.s3Results = step.s3Results;
    this.builder = step.builder;
    this.stores = step.stores;
    this.runner = step.runner;
    this.settings = step.settings;
    this.pip = step.pip;
    this.slots = step.slots;
    this.json = step.json;
  }

  /**
   * This step for a backend whose launch sends a task whose image is gone back here (the local
   * engine's, {@code ImageGoneException}): a task that is not a sweep takes an image the engine had
   * a moment ago as there ({@link ImageBuilder#recentImageId}), and the launch, finding it gone,
   * has it {@linkplain ImageBuilder#forget forgotten}.
   */
  public BuildImage takingRecentImages() {
    return new BuildImage(this, true);
  }

  @Override
  public boolean handles(Task task) {
    return task.status() == TaskStatus.QUEUED
        || (task.status() == TaskStatus.BUILDING && task.imageRef() == null);
  }

  /**
   * QUEUED → BUILDING, and the image: found built, it is recorded in the same write as the move to
   * BUILDING; to be built, BUILDING is written first (the step ends there and runs again), so a
   * client sees the task being built while it is. A build needs one of the client's build slots: a
   * task that finds none free stays where it is, says so, and is given back to the queue for a
   * moment. A cancel while the task waits for its build ends the wait (and the build, if no other
   * task waits for it); the pipeline then records the cancel.
   */
  @Override
  public StepResult run(Task task, StepContext context) throws InterruptedException {
    boolean starting = task.status() == TaskStatus.QUEUED;
    boolean staged = task.spec().payloadMode() == PayloadMode.STAGED;
    try {
      Optional<String> baseId =
          staged ? builder.recentImageId(environmentOf(task).baseImage()) : Optional.empty();
      TaskImage image = staged ? environmentImage(task, baseId) : bakedImageOf(task);
      boolean exists =
          recentImages && !task.spec().hasSweep()
              ? builder.recentImageId(image.localReference()).isPresent()
              : builder.exists(image.localReference());
      if (!exists && staged) {
        // to be built: on the base image the engine has now, named by the id it has now
        baseId = builder.imageId(environmentOf(task).baseImage());
        image = environmentImage(task, baseId);
        exists = builder.exists(image.localReference());
      }
      if (!exists && !slots.free(task.owner())) {
        return waitForSlot(task, context);
      }
      if (starting) {
        task.startBuilding(context.now());
        if (!exists) {
          return StepResult.statusFirst();
        }
      }
      ImageBuilder.Built built;
      if (exists) {
        built = new ImageBuilder.Built(image.localReference(), true, "");
      } else {
        Optional<BuildSlots.Slot> slot = slots.take(task.owner(), task.id());
        if (slot.isEmpty()) {
          return waitForSlot(task, context);
        }
        Optional<ImageBuilder.Built> ended;
        try (BuildSlots.Slot taken = slot.get()) {
          ended = builder.build(image, settings.buildTimeout(), context::stopRequested);
        }
        if (ended.isEmpty()) {
          return StepResult.proceed(); // cancel or lost lease: the pipeline decides what follows
        }
        built = ended.get();
      }
      if (staged && baseId.isEmpty()) {
        aliasWithBaseId(task, built);
      }
      if (staged) {
        stagePayload(task);
        uploads.stage(task);
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
      if (built.reused() && !task.spec().hasFiles()) {
        // found built, and nothing staged but the payload (the same bytes again after a crash):
        // the move to BUILDING and the image go in with the next step's write
        return StepResult.proceedUnwritten();
      }
    } catch (StageUploads.UploadGoneException e) {
      task.fail(
          e.getMessage(), new TaskError(e.kind(), e.getMessage(), ""), null, null, context.now());
    } catch (ImageBuildException e) {
      task.fail(
          e.getMessage(),
          new TaskError(
              e instanceof ImageBuildTimeoutException ? "ImageBuildTimedOut" : "ImageBuildFailed",
              e.getMessage(),
              tail(e.buildLog())),
          null,
          null,
          context.now());
    }
    return StepResult.proceed();
  }

  /**
   * Every build slot of the task's client is taken: the task says so (QUEUED or BUILDING, as it is)
   * and goes back to the queue, holding no worker, to try again in a moment — longer the more of
   * the client's tasks wait.
   */
  private StepResult waitForSlot(Task task, StepContext context) {
    String reason =
        "waits for a build slot: "
            + slots.perClient()
            + " image builds of this client are under way on this instance"
            + " (batch-executor.image.max-builds-per-client)";
    if (task.status() == TaskStatus.QUEUED) {
      task.progress(reason);
    } else {
      task.observe(task.status(), reason, context.now());
    }
    Duration wait = slots.waitFor(task.owner(), task.id(), SLOT_WAIT, MAX_SLOT_WAIT);
    long jitter = ThreadLocalRandom.current().nextLong(wait.toMillis() / 2 + 1);
    return StepResult.releaseFor(wait.minusMillis(wait.toMillis() / 4).plusMillis(jitter));
  }

  /** The environment image of {@code task}, given its base image's id where the engine has it. */
  private TaskImage environmentImage(Task task, Optional<String> baseId) {
    return TaskImage.environment(environmentOf(task), runner, baseId.orElse(null), json);
  }

  /**
   * An environment built while the engine lacked its base image (the build pulled it) is also
   * tagged under the name that includes the base image's id, so the next task finds it built.
   */
  private void aliasWithBaseId(Task task, ImageBuilder.Built built) {
    Optional<String> pulled = builder.imageId(environmentOf(task).baseImage());
    if (pulled.isPresent()) {
      builder.alias(built.reference(), environmentImage(task, pulled).localReference());
    }
  }

  /** Writes the call where the runner reads it: {@code payload.json} under the task's prefix. */
  private void stagePayload(Task task) {
    try {
      stores
          .primary()
          .put(
              task.settings().s3BucketName(),
              TaskObjects.key(task, TaskObjects.PAYLOAD),
              TaskPayload.json(task, json));
    } catch (RuntimeException e) {
      // the cause stays attached, so a store that does not answer is still waited out
      throw new IllegalStateException(
          "the object store did not take payload.json: " + e.getMessage(), e);
    }
  }

  /** The image a baked task runs in: its call built in. */
  public TaskImage bakedImageOf(Task task) {
    return TaskImage.of(environmentOf(task), TaskPayload.of(task), runner, json);
  }

  private TaskImage.Environment environmentOf(Task task) {
    TaskSpec.ImageSpec image = task.spec().image();
    String base =
        image != null && image.baseImage() != null ? image.baseImage() : settings.baseImage();
    List<String> requirements =
        image != null && image.requirements() != null ? image.requirements() : List.of();
    return new TaskImage.Environment(base, requirements, s3Results, pip);
  }

  private static String tail(String log) {
    return log.length() <= 20_000 ? log : "...\n" + log.substring(log.length() - 20_000);
  }
}
