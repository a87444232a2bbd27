package io.batchexecutor.backend;

import io.batchexecutor.task.EventKind;
import java.time.Instant;
import java.util.Map;

/** What a running step may ask of the pipeline. */
public interface StepContext {

  /** The pipeline's clock. */
  Instant now();

  /** Whether the task was asked to stop (a cancel request, or this instance lost the lease). */
  boolean stopRequested();

  /**
   * Shows how a long step is getting on as the task's status reason, at once, while the step goes
   * on (the step's own changes are still written when it ends). Does nothing by default.
   */
  default void progress(String reason) {}

  /**
   * Adds an event to the task's history at once, while the step goes on, so that a crash before the
   * step ends does not lose it (for what a long step does within itself, such as retrying one run
   * of a sweep). Nothing is written once this instance no longer holds the task.
   */
  void recordNow(EventKind kind, String reason, Map<String, Object> details);

  /**
   * Whether the step now running certainly runs on this task for the first time: the task reached
   * it during this claim, by the steps before it, so no earlier run of it can have left anything
   * behind (a step that creates something remote may then skip the look-up for what a lost answer
   * made). False when unsure, as by default: the task may have been claimed in this step's state
   * after a crash.
   */
  default boolean firstRun() {
    return false;
  }
}
