package io.batchexecutor.support;

import io.batchexecutor.pipeline.StepContext;
import io.batchexecutor.task.TaskEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/** A step context for steps run outside the pipeline: never stopped, keeps what is recorded. */
public final class RecordingStepContext implements StepContext {

  private final Supplier<Instant> clock;
  private final List<TaskEvent> recorded = new CopyOnWriteArrayList<>();

  public RecordingStepContext(Supplier<Instant> clock) {
    this.clock = clock;
  }

  @Override
  public Instant now() {
    return clock.get();
  }

  @Override
  public boolean stopRequested() {
    return false;
  }

  @Override
  public void recordNow(String kind, String reason, Map<String, Object> details) {
    recorded.add(new TaskEvent(now(), kind, null, null, reason, details));
  }

  /** What the step recorded at once, in order. */
  public List<TaskEvent> recorded() {
    return List.copyOf(recorded);
  }
}
