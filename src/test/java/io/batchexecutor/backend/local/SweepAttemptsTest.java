package io.batchexecutor.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.backend.StepContext;
import io.batchexecutor.support.TaskBuilder;
import io.batchexecutor.task.EventKind;
import io.batchexecutor.task.Task;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What follows an attempt of one run of a sweep that ended without a result, by the same policy as
 * a task's one run: the run's next attempt, created through the launcher with its RETRY written at
 * once, or the run's error entry.
 */
class SweepAttemptsTest {

  static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");
  static final JsonMapper JSON = JsonMapper.builder().build();

  record Written(EventKind kind, String reason, Map<String, Object> details) {}

  final List<Written> written = new ArrayList<>();
  final StepContext context =
      new StepContext() {
        @Override
        public Instant now() {
          return T0;
        }

        @Override
        public boolean stopRequested() {
          return false;
        }

        @Override
        public void recordNow(EventKind kind, String reason, Map<String, Object> details) {
          written.add(new Written(kind, reason, details));
        }
      };

  final FakeLauncher launcher = new FakeLauncher();
  final SweepAttempts attempts = new SweepAttempts(launcher, JSON);
  final Task sweep = TaskBuilder.aTask().backend("local").sweep(Map.of("x", List.of(1, 2))).build();

  @Test
  void aRunWithoutAResultGetsItsNextAttemptWrittenAtOnce() {
    SweepAttempts.Next next =
        attempts.settleRun(sweep, 1, 2, AttemptOutcome.noResult(137, "ended with 137"), context);

    assertThat(next.retry()).isTrue();
    assertThat(next.attempt()).isEqualTo(3);
    assertThat(launcher.launches)
        .containsExactly(new FakeLauncher.Launch(3, 1, next.containerId()));
    assertThat(written)
        .containsExactly(
            new Written(
                EventKind.RETRY,
                "combination 1: ended with 137; starting attempt 3",
                Map.of("sweep_index", 1, "exit_code", 137)));
  }

  @Test
  void theRunsLastAttemptGivesItsErrorEntry() {
    SweepAttempts.Next next =
        attempts.settleRun(sweep, 0, 3, AttemptOutcome.noResult(1, "ended with 1"), context);

    assertThat(next.retry()).isFalse();
    assertError(next, "NoResult", "ended with 1 (attempt 3 of 3)");
    assertThat(launcher.launches).isEmpty();
    assertThat(written).isEmpty();
  }

  @Test
  void runningOutOfMemoryOrTimeGivesTheErrorEntryWithAttemptsLeft() {
    SweepAttempts.Next memory =
        attempts.settleRun(sweep, 0, 1, AttemptOutcome.outOfMemory(sweep, 137, null), context);
    SweepAttempts.Next time =
        attempts.settleRun(sweep, 1, 1, AttemptOutcome.timedOut(sweep), context);

    assertError(memory, "OutOfMemory", LocalContainers.outOfMemory(sweep) + " (attempt 1 of 3)");
    assertError(time, "TimeLimitExceeded", "time limit of 300 s exceeded");
    assertThat(launcher.launches).isEmpty();
    assertThat(written).isEmpty();
  }

  static void assertError(SweepAttempts.Next next, String type, String message) {
    JsonNode entry = JSON.readTree(next.error());
    assertThat(entry.path("ok").asBoolean(true)).isFalse();
    assertThat(entry.path("error").path("type").asString()).isEqualTo(type);
    assertThat(entry.path("error").path("message").asString()).isEqualTo(message);
    assertThat(entry.path("error").path("traceback").asString()).isEmpty();
  }
}
