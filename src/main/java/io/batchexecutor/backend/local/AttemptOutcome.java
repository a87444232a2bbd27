package io.batchexecutor.backend.local;

import io.batchexecutor.runner.RunnerResult;
import io.batchexecutor.task.Task;

/**
 * What one attempt of a container came to: of a task's one run ({@link AwaitContainer}) or of one
 * run of a sweep ({@link RunSweep}). {@link AttemptPolicy} decides from it whether another attempt
 * runs.
 *
 * @param kind what the attempt came to
 * @param exitCode the container's exit code; null when none is known (lost, timed out, stopped)
 * @param reason what happened, in the words the task's status reason (or the run's error) uses
 * @param result what the runner wrote, where the step read it ({@code null} otherwise)
 * @param pointer where {@code result.json} was stored ({@code null}: not stored)
 */
record AttemptOutcome(
    Kind kind, Integer exitCode, String reason, RunnerResult result, String pointer) {

  /** What an attempt can come to. */
  enum Kind {
    /** The function returned (a value, or a sub-workflow): the runner wrote its result. */
    RETURNED,
    /** The function raised, or the runner refused its payload or an input: it wrote why. */
    RAISED,
    /** The container ended without a result, or with one its exit code does not match. */
    NO_RESULT,
    /** The container is gone and no result of it was stored. */
    LOST,
    /** The engine killed the container for exceeding the task's memory limit. */
    OUT_OF_MEMORY,
    /** The container ran past the task's time limit and was killed. */
    TIMED_OUT,
    /** A cancel request, or the loss of the lease, ended the wait: the pipeline goes on. */
    STOPPED;

    /**
     * Whether the attempt ended for a reason outside the function and its settings (the container
     * died, the engine lost it), so that another attempt may well end otherwise.
     */
    boolean outsideTheFunction() {
      return this == NO_RESULT || this == LOST;
    }
  }

  /** The function returned {@code result}, stored at {@code pointer}. */
  static AttemptOutcome returned(int exitCode, RunnerResult result, String pointer) {
    return new AttemptOutcome(Kind.RETURNED, exitCode, null, result, pointer);
  }

  /**
   * The function raised (or the runner refused) as {@code result} says, stored at {@code pointer}.
   */
  static AttemptOutcome raised(int exitCode, RunnerResult result, String pointer) {
    return new AttemptOutcome(Kind.RAISED, exitCode, null, result, pointer);
  }

  static AttemptOutcome noResult(int exitCode, String reason) {
    return new AttemptOutcome(Kind.NO_RESULT, exitCode, reason, null, null);
  }

  static AttemptOutcome lost(String reason) {
    return new AttemptOutcome(Kind.LOST, null, reason, null, null);
  }

  /** Out of memory, with what the runner may still have stored ({@code pointer}, or null). */
  static AttemptOutcome outOfMemory(Task task, int exitCode, String pointer) {
    return new AttemptOutcome(
        Kind.OUT_OF_MEMORY, exitCode, LocalContainers.outOfMemory(task), null, pointer);
  }

  static AttemptOutcome timedOut(Task task) {
    return new AttemptOutcome(
        Kind.TIMED_OUT,
        null,
        "time limit of " + task.settings().timeLimit() + " s exceeded",
        null,
        null);
  }

  static AttemptOutcome stopped() {
    return new AttemptOutcome(Kind.STOPPED, null, "stop requested", null, null);
  }
}
