package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.task.Task;

/**
 * How many jobs one client may have submitted and unfinished at once in one execution profile
 * ({@code batch-executor.awsbatch.max-submitted-per-client}), for job queues that schedule first
 * in, first out: there a client's thousand jobs would run before another client's one. A task over
 * the cap waits and is submitted once some of its client's jobs ended. Instances count on their
 * own, so several submitting at the same moment may pass it by a few.
 *
 * @param max the cap; 0: none
 * @param counter counts a client's unfinished jobs in an execution profile, up to a number
 */
record SubmitCap(int max, Counter counter) {

  /** No cap. */
  static final SubmitCap NONE = new SubmitCap(0, (owner, profile, atMost) -> 0);

  /** Counts {@code owner}'s unfinished jobs in {@code executionProfile}, up to {@code atMost}. */
  @FunctionalInterface
  interface Counter {
    int count(String owner, String executionProfile, int atMost);
  }

  /** Whether {@code task}'s client has as many jobs submitted in its profile as the cap allows. */
  boolean reached(Task task) {
    return max > 0 && counter.count(task.owner(), task.settings().executionProfile(), max) >= max;
  }

  /** The reason a task over the cap waits with. */
  String reason(Task task) {
    return "waiting: its client has "
        + max
        + " jobs submitted and not ended in execution profile '"
        + task.settings().executionProfile()
        + "', as many as batch-executor.awsbatch.max-submitted-per-client allows";
  }
}
