package io.batchexecutor.pipeline;

import java.time.Instant;

/** What a running step may ask of the pipeline. */
public interface StepContext {

  /** The pipeline's clock. */
  Instant now();

  /** Whether the task was asked to stop (a cancel request, or this instance lost the lease). */
  boolean stopRequested();
}
