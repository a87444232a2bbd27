package io.batchexecutor.backend;

import io.batchexecutor.task.Task;

/**
 * One step of the pipeline: it works on a task that it {@link #handles}, calling out to Docker or
 * AWS as it must, and records what happened on the task through its named methods. It runs with no
 * database transaction open; the pipeline writes the task afterwards. A step must be idempotent:
 * after a crash it runs again and finds what the last run did.
 */
public interface PipelineStep {

  /** Whether this step is the one to work on {@code task} now (by its status and what is known). */
  boolean handles(Task task);

  /** Does the step's work on {@code task} (which it may change) and says what comes next. */
  StepResult run(Task task, StepContext context) throws InterruptedException;
}
