package io.batchexecutor.backend.local;

import io.batchexecutor.config.TaskSettings;

/**
 * Whether an attempt's outcome ends the task (or the sweep's run) or another attempt runs: the one
 * rule of the local engine's retries, for a task's one run and for every run of a sweep alike. An
 * attempt that ended for a reason outside the function (a container that died without a result, one
 * the engine lost) is followed by the next attempt, at once, while the task's {@code
 * retry_attempts} allow; the function's own result, running out of memory and running out of time
 * end it (another attempt would end the same way); a stopped attempt is left to the pipeline.
 *
 * @param maxAttempts how many attempts a run may use in all ({@code retry_attempts}, 1-10)
 */
record AttemptPolicy(int maxAttempts) {

  AttemptPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("at least one attempt, not " + maxAttempts);
    }
  }

  static AttemptPolicy of(TaskSettings settings) {
    return new AttemptPolicy(settings.retryAttempts());
  }

  /** What follows {@code outcome}, the outcome of attempt {@code attempt} (from 1). */
  Decision decide(AttemptOutcome outcome, int attempt) {
    Verdict verdict;
    if (outcome.kind() == AttemptOutcome.Kind.STOPPED) {
      verdict = Verdict.LEAVE;
    } else if (outcome.kind().outsideTheFunction() && attempt < maxAttempts) {
      verdict = Verdict.RETRY;
    } else {
      verdict = Verdict.END;
    }
    return new Decision(verdict, outcome, attempt, maxAttempts);
  }

  /** What the step does after an attempt. */
  enum Verdict {
    /** Start the next attempt. */
    RETRY,
    /** Record the outcome: the task's (or the run's) end. */
    END,
    /** Record nothing: the pipeline decides what follows (a cancel, a lost lease). */
    LEAVE
  }

  /**
   * What follows one attempt.
   *
   * @param attempt the attempt that ended
   * @param maxAttempts how many attempts the run may use in all
   */
  record Decision(Verdict verdict, AttemptOutcome outcome, int attempt, int maxAttempts) {

    /** The attempt that starts next (with {@link Verdict#RETRY}). */
    int nextAttempt() {
      return attempt + 1;
    }

    /** Why the next attempt starts, and which it is. */
    String retryReason() {
      return outcome.reason() + "; starting attempt " + nextAttempt();
    }

    /** The outcome's reason with how many attempts were used of how many. */
    String reasonWithAttempts() {
      return outcome.reason() + " (attempt " + attempt + " of " + maxAttempts + ")";
    }
  }
}
