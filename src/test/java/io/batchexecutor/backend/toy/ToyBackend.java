package io.batchexecutor.backend.toy;

import io.batchexecutor.backend.ComputeBackend;
import io.batchexecutor.backend.PipelineStep;
import io.batchexecutor.backend.ResultDigests;
import io.batchexecutor.backend.StepContext;
import io.batchexecutor.backend.StepResult;
import io.batchexecutor.backend.Unreachable;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskObjects;
import io.batchexecutor.task.TaskStatus;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A backend made by following "How to add a backend" in docs/architecture.md, in the test sources:
 * it "runs" a task in the service's own process by answering a fixed {@code result.json}, which it
 * writes through the object store as a real backend writes what its runner returned. Three steps
 * take a task from QUEUED to its end, each doing one thing: nothing to build (QUEUED to BUILDING),
 * a "job" handed over (BUILDING to SUBMITTED, released to be looked at again as a backend without a
 * poller of its own does), and the answer collected (SUBMITTED to RUNNING to SUCCEEDED). A task
 * held by {@link #holding} waits SUBMITTED until it is cancelled, which {@link #stop} hears.
 */
public final class ToyBackend implements ComputeBackend {

  /** The backend's name, as its tasks record it. */
  public static final String NAME = "toy";

  private final ObjectStores stores;
  private final byte[] answer;
  private final Set<UUID> holding = ConcurrentHashMap.newKeySet();
  private final Set<UUID> stopped = ConcurrentHashMap.newKeySet();

  /**
   * @param answer the runner's document every task answers, e.g. {@code {"ok": true, "value": 42}}
   */
  public ToyBackend(ObjectStores stores, String answer) {
    this.stores = stores;
    this.answer = answer.getBytes(StandardCharsets.UTF_8);
  }

  /** Keeps task {@code id} SUBMITTED, with no answer, until it is cancelled. */
  public void holding(UUID id) {
    holding.add(id);
  }

  /** The tasks whose run the pipeline asked this backend to stop. */
  public Set<UUID> stopped() {
    return Set.copyOf(stopped);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public List<PipelineStep> steps() {
    return List.of(new NothingToBuild(), new HandOver(), new CollectTheAnswer());
  }

  @Override
  public void stop(Task task) {
    stopped.add(task.id());
  }

  @Override
  public Optional<Unreachable> unreachable(Throwable failure) {
    return Optional.empty(); // it calls no service: nothing it does can go unanswered
  }

  @Override
  public Optional<String> liveLogs(Task task) {
    return task.status() == TaskStatus.SUBMITTED
        ? Optional.of("toy job " + task.batchJobId() + " waits\n")
        : Optional.empty();
  }

  /** QUEUED: the toy runs no image, so there is nothing to build. */
  private static final class NothingToBuild implements PipelineStep {
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

  /** BUILDING: the "job" is handed over; the task is looked at again at once. */
  private static final class HandOver implements PipelineStep {
    @Override
    public boolean handles(Task task) {
      return task.status() == TaskStatus.BUILDING;
    }

    @Override
    public StepResult run(Task task, StepContext context) {
      task.submittedAsJob("toy-" + task.id(), "the toy backend", context.now());
      return StepResult.releaseFor(Duration.ZERO);
    }
  }

  /** SUBMITTED: the answer is stored where results are kept, and the task ends with it. */
  private final class CollectTheAnswer implements PipelineStep {
    @Override
    public boolean handles(Task task) {
      return task.status() == TaskStatus.SUBMITTED;
    }

    @Override
    public StepResult run(Task task, StepContext context) {
      if (holding.contains(task.id())) {
        return StepResult.releaseFor(Duration.ofHours(1)); // a cancel request makes it due
      }
      URI result =
          stores
              .primary()
              .put(
                  task.settings().s3BucketName(),
                  TaskObjects.key(task, TaskObjects.RESULT),
                  answer);
      task.resultsCollected(ResultDigests.of(Map.of(TaskObjects.RESULT, answer)));
      task.observe(TaskStatus.RUNNING, "answering in process", context.now());
      task.succeed(result.toString(), 0, context.now());
      return StepResult.proceed();
    }
  }
}
