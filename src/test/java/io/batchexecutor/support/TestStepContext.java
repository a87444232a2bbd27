package io.batchexecutor.support;

import io.batchexecutor.backend.StepContext;
import io.batchexecutor.task.EventKind;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A step context for steps run outside the pipeline: never stopped. The steps run this way record
 * nothing on the side; one that tries fails its test, rather than have the event lost silently.
 */
public final class TestStepContext implements StepContext {

  private final Supplier<Instant> clock;

  public TestStepContext(Supplier<Instant> clock) {
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
  public void recordNow(EventKind kind, String reason, Map<String, Object> details) {
    throw new UnsupportedOperationException("not expected of this step: " + kind + " " + reason);
  }
}
