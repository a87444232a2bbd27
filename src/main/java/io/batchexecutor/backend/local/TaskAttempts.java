package io.batchexecutor.backend.local;

import io.batchexecutor.backend.RunnerOutcome;
import io.batchexecutor.backend.TaskInputs;
import io.batchexecutor.backend.local.AttemptPolicy.Decision;
import io.batchexecutor.task.SubWorkflows;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskError;
import java.time.Instant;
import java.util.Map;

/**
 * What an attempt of a task's one run came to, recorded on the task as {@link AttemptPolicy}
 * decides: the next attempt, launched through the {@link AttemptLauncher}, or the task's end.
 */
final class TaskAttempts {

  private final AttemptLauncher launcher;
  private final SubWorkflows subWorkflows;

  TaskAttempts(AttemptLauncher launcher, SubWorkflows subWorkflows) {
    this.launcher = launcher;
    this.subWorkflows = subWorkflows;
  }

  /**
   * Settles the task's latest attempt, which came to {@code outcome}: starts the next attempt or
   * records the task's end, as the policy decides; answers the decision.
   */
  Decision settle(Task task, AttemptOutcome outcome, Instant now) {
    Decision decision = AttemptPolicy.of(task.settings()).decide(outcome, task.attempts());
    switch (decision.verdict()) {
      case RETRY -> retry(task, decision, now);
      case END -> end(task, decision, now);
      case LEAVE -> {
        // the pipeline records what stopped the attempt
      }
    }
    return decision;
  }

  private void retry(Task task, Decision decision, Instant now) {
    int next = decision.nextAttempt();
    Integer exitCode = decision.outcome().exitCode();
    String id;
    try {
      id = launcher.launch(task, next);
    } catch (TaskInputs.UploadGoneException e) {
      TaskInputs.failUploadGone(task, e, now);
      return;
    }
    task.retrying(
        decision.retryReason(), Map.of("exit_code", exitCode == null ? -1 : exitCode), now);
    task.attemptStarted(next, Map.of("container_id", id), now);
    task.retriedIn(id, now);
  }

  private void end(Task task, Decision decision, Instant now) {
    AttemptOutcome outcome = decision.outcome();
    String reason = outcome.reason();
    switch (outcome.kind()) {
      case RAISED ->
          RunnerOutcome.failRaised(
              task, outcome.result(), outcome.exitCode(), outcome.pointer(), now);
      case RETURNED ->
          RunnerOutcome.returnedBy(
              task, outcome.result(), outcome.pointer(), outcome.exitCode(), now, subWorkflows);
      case OUT_OF_MEMORY ->
          task.fail(
              reason,
              new TaskError("OutOfMemory", reason, null),
              outcome.exitCode(),
              outcome.pointer(),
              now);
      case TIMED_OUT ->
          task.fail(reason, new TaskError("TimeLimitExceeded", reason, null), null, null, now);
      case NO_RESULT, LOST ->
          task.fail(
              decision.reasonWithAttempts(),
              new TaskError("ContainerFailed", reason, null),
              outcome.exitCode(),
              null,
              now);
      case STOPPED -> throw new IllegalStateException("a stopped attempt is not an end");
    }
  }
}
