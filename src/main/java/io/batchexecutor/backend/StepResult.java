package io.batchexecutor.backend;

import java.time.Duration;

/**
 * What the pipeline does after a step.
 *
 * @param next {@link Next#CONTINUE}: write the task and run the step for its new status at once;
 *     {@link Next#RELEASE}: write the task and give up the lease until {@code after} has passed
 * @param after with {@code RELEASE}, how long until the task is due again
 */
public record StepResult(Next next, Duration after) {

  /** What the pipeline does next. */
  public enum Next {
    CONTINUE,
    RELEASE
  }

  public static StepResult proceed() {
    return new StepResult(Next.CONTINUE, Duration.ZERO);
  }

  public static StepResult releaseFor(Duration after) {
    return new StepResult(Next.RELEASE, after);
  }
}
