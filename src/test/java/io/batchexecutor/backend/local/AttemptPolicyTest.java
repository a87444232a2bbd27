package io.batchexecutor.backend.local;

import static io.batchexecutor.backend.local.AttemptPolicy.Verdict.END;
import static io.batchexecutor.backend.local.AttemptPolicy.Verdict.LEAVE;
import static io.batchexecutor.backend.local.AttemptPolicy.Verdict.RETRY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchexecutor.backend.local.AttemptOutcome.Kind;
import io.batchexecutor.backend.local.AttemptPolicy.Decision;
import io.batchexecutor.backend.local.AttemptPolicy.Verdict;
import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.support.TaskBuilder;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The local engine's one retry rule, for every outcome an attempt can come to and every attempt of
 * a run: only an attempt that ended for a reason outside the function is followed by another, while
 * attempts are left; a stopped attempt is left to the pipeline.
 */
class AttemptPolicyTest {

  static AttemptOutcome outcome(Kind kind) {
    return new AttemptOutcome(kind, kind == Kind.LOST ? null : 1, "why", null, null);
  }

  /** The verdict after attempts 1, 2, 3 (and a 4th beyond the allowance) of three. */
  static final Map<Kind, List<Verdict>> OF_THREE = new EnumMap<>(Kind.class);

  static {
    OF_THREE.put(Kind.RETURNED, List.of(END, END, END, END));
    OF_THREE.put(Kind.RAISED, List.of(END, END, END, END));
    OF_THREE.put(Kind.NO_RESULT, List.of(RETRY, RETRY, END, END));
    OF_THREE.put(Kind.LOST, List.of(RETRY, RETRY, END, END));
    OF_THREE.put(Kind.OUT_OF_MEMORY, List.of(END, END, END, END));
    OF_THREE.put(Kind.TIMED_OUT, List.of(END, END, END, END));
    OF_THREE.put(Kind.STOPPED, List.of(LEAVE, LEAVE, LEAVE, LEAVE));
  }

  @Test
  void everyOutcomeOfEveryAttemptOfThree() {
    assertThat(OF_THREE.keySet()).as("every outcome has its row").containsExactly(Kind.values());
    AttemptPolicy policy = new AttemptPolicy(3);
    for (Kind kind : Kind.values()) {
      List<Verdict> verdicts = new ArrayList<>();
      for (int attempt = 1; attempt <= 4; attempt++) {
        Decision decision = policy.decide(outcome(kind), attempt);
        assertThat(decision.attempt()).isEqualTo(attempt);
        assertThat(decision.maxAttempts()).isEqualTo(3);
        assertThat(decision.outcome().kind()).isEqualTo(kind);
        verdicts.add(decision.verdict());
      }
      assertThat(verdicts).as(kind.name()).isEqualTo(OF_THREE.get(kind));
    }
  }

  @Test
  void withOneAttemptNothingIsTriedAgain() {
    AttemptPolicy policy = new AttemptPolicy(1);
    for (Kind kind : Kind.values()) {
      assertThat(policy.decide(outcome(kind), 1).verdict())
          .as(kind.name())
          .isEqualTo(kind == Kind.STOPPED ? LEAVE : END);
    }
  }

  @Test
  void theDecisionNamesTheNextAttemptAndTheAttemptsUsed() {
    Decision retry =
        new AttemptPolicy(3)
            .decide(AttemptOutcome.noResult(137, "the container exited with code 137"), 1);
    Decision last =
        new AttemptPolicy(3).decide(AttemptOutcome.lost("the container 0123456789ab gone"), 3);

    assertThat(retry.verdict()).isEqualTo(RETRY);
    assertThat(retry.nextAttempt()).isEqualTo(2);
    assertThat(retry.retryReason())
        .isEqualTo("the container exited with code 137; starting attempt 2");
    assertThat(last.verdict()).isEqualTo(END);
    assertThat(last.reasonWithAttempts())
        .isEqualTo("the container 0123456789ab gone (attempt 3 of 3)");
  }

  @Test
  void theAllowanceIsTheTasksRetryAttemptsAndAtLeastOne() {
    TaskSettings settings = TaskBuilder.aTask().build().settings();

    assertThat(AttemptPolicy.of(settings).maxAttempts()).isEqualTo(settings.retryAttempts());
    assertThatThrownBy(() -> new AttemptPolicy(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
