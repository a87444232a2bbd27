package io.batchexecutor.backend;

import java.time.Duration;

/**
 * What the pipeline does after a step.
 *
 * @param next {@link Next#CONTINUE}: write the task and run the step for its new status at once;
 *     {@link Next#STATUS_FIRST}: the same, said by a step that only moved the task to the status
 *     its slow work shows under; {@link Next#CONTINUE_UNWRITTEN}: run the step for its new status
 *     at once, and write what this step changed with what that one does; {@link Next#RELEASE}:
 *     write the task and give up the lease until {@code after} has passed
 * @param after with {@code RELEASE}, how long until the task is due again
 */
public record StepResult(Next next, Duration after) {

  /** What the pipeline does next. */
  public enum Next {
    CONTINUE,
    STATUS_FIRST,
    CONTINUE_UNWRITTEN,
    RELEASE
  }

  /** Write the task, then run the step that handles it now, at once. */
  public static StepResult proceed() {
    return new StepResult(Next.CONTINUE, Duration.ZERO);
  }

  /**
   * Write this status, then continue: the step moved the task to the status that its slow work (a
   * build, a push, a sweep's runs) is to show under, and did nothing else yet. The pipeline writes
   * the task, so that clients see the new status while that work goes on, and runs the step that
   * handles it at once: usually the same step again, which finds the status written and does the
   * work. The one way for a step to say so.
   */
  public static StepResult statusFirst() {
    return new StepResult(Next.STATUS_FIRST, Duration.ZERO);
  }

  /**
   * Run the step that handles the task now, at once, without writing it first: what this step
   * changed (its status, its events) is written with what the next step changes, in that step's
   * write. For a step that did nothing outside the task that a crash before that write would leave
   * undone or half done: the task is then taken up again as last written, and this step runs again,
   * to the same end.
   */
  public static StepResult proceedUnwritten() {
    return new StepResult(Next.CONTINUE_UNWRITTEN, Duration.ZERO);
  }

  /** Write the task and give the lease back: the task is due again after {@code after}. */
  public static StepResult releaseFor(Duration after) {
    return new StepResult(Next.RELEASE, after);
  }
}
