package io.batchexecutor.backend.local;

import io.batchexecutor.backend.StepContext;
import io.batchexecutor.backend.local.AttemptPolicy.Decision;
import io.batchexecutor.task.EventKind;
import io.batchexecutor.task.Task;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What follows an attempt of one run of a sweep that ended without the runner's result, as {@link
 * AttemptPolicy} decides: the run's next attempt, created through the {@link AttemptLauncher} and
 * its {@code RETRY} written at once (the sweep's step may run long after it, and a crash must not
 * lose it), or the run's error entry, which is that combination's outcome.
 */
final class SweepAttempts {

  private final AttemptLauncher launcher;
  private final JsonMapper json;

  SweepAttempts(AttemptLauncher launcher, JsonMapper json) {
    this.launcher = launcher;
    this.json = json;
  }

  /**
   * What follows one attempt of a run.
   *
   * @param containerId the next attempt's container (created, not started), or null
   * @param attempt the next attempt, with a container
   * @param error the run's error entry ({@code result.json}), when it ends
   */
  record Next(String containerId, int attempt, byte[] error) {

    boolean retry() {
      return containerId != null;
    }
  }

  /** Settles attempt {@code attempt} of run {@code index}, which came to {@code outcome}. */
  Next settleRun(Task task, int index, int attempt, AttemptOutcome outcome, StepContext context) {
    Decision decision = AttemptPolicy.of(task.settings()).decide(outcome, attempt);
    return switch (decision.verdict()) {
      case RETRY -> {
        String id = launcher.create(task, decision.nextAttempt(), index);
        context.recordNow(
            EventKind.RETRY,
            "combination " + index + ": " + decision.retryReason(),
            Map.of(
                "sweep_index",
                index,
                "exit_code",
                outcome.exitCode() == null ? -1 : outcome.exitCode()));
        yield new Next(id, decision.nextAttempt(), null);
      }
      case END -> new Next(null, attempt, errorEntry(decision));
      case LEAVE -> throw new IllegalStateException("a sweep's run is not stopped by itself");
    };
  }

  private byte[] errorEntry(Decision decision) {
    AttemptOutcome outcome = decision.outcome();
    return switch (outcome.kind()) {
      case TIMED_OUT -> error("TimeLimitExceeded", outcome.reason());
      case OUT_OF_MEMORY -> error("OutOfMemory", decision.reasonWithAttempts());
      case NO_RESULT, LOST -> error("NoResult", decision.reasonWithAttempts());
      case RETURNED, RAISED, STOPPED ->
          throw new IllegalStateException("not a run without a result: " + outcome.kind());
    };
  }

  private byte[] error(String type, String message) {
    ObjectNode document = json.createObjectNode().put("ok", false);
    document.putObject("error").put("type", type).put("message", message).put("traceback", "");
    return json.writeValueAsBytes(document);
  }
}
