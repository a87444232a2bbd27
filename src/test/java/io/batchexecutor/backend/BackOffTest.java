package io.batchexecutor.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.TaskBuilder;
import io.batchexecutor.task.EventKind;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** How long the pipeline waits for a service that does not answer, and when it gives up. */
class BackOffTest {

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final Unreachable DOCKER =
      new Unreachable("DockerUnavailable", "no Docker engine answers; start dockerd");
  final BackOff backOff = new BackOff(Duration.ofSeconds(60), Duration.ofMinutes(30));

  @Test
  void delaysDoubleWithJitterUpToTheCap() {
    for (int round = 0; round < 50; round++) {
      assertThat(backOff.delayAfter(1)).isBetween(Duration.ofMillis(800), Duration.ofMillis(1200));
      assertThat(backOff.delayAfter(3)).isBetween(Duration.ofMillis(3200), Duration.ofMillis(4800));
      assertThat(backOff.delayAfter(40)).isBetween(Duration.ofSeconds(48), Duration.ofSeconds(72));
    }
  }

  @Test
  void aTaskNotLaunchedYetWaitsThenGivesUpAfterTheBudgetWithTheReason() {
    Task task = TaskBuilder.aTask().build();
    task.startBuilding(T0);

    assertThat(backOff.apply(task, DOCKER, T0)).isNotNull();
    assertThat(backOff.apply(task, DOCKER, T0.plus(Duration.ofMinutes(29)))).isNotNull();
    assertThat(task.status()).isEqualTo(TaskStatus.BUILDING);
    assertThat(task.statusReason())
        .startsWith("waiting: no Docker engine answers")
        .contains("try 2");
    assertThat(task.unreachableSince()).isEqualTo(T0);

    assertThat(backOff.apply(task, DOCKER, T0.plus(Duration.ofMinutes(30)))).isNull();
    assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(task.statusReason())
        .isEqualTo("gave up after 30 min of retries: no Docker engine answers; start dockerd");
    assertThat(task.error().type()).isEqualTo("DockerUnavailable");
  }

  @Test
  void aLaunchedTaskNeverEndsOnUnreachability() {
    Task task = TaskBuilder.aTask().build();
    task.startBuilding(T0);
    task.imageBuilt("img:1", false, T0);
    task.submittedToContainer("0123456789abcdef", T0);
    task.observe(TaskStatus.RUNNING, "running", T0);

    assertThat(backOff.apply(task, DOCKER, T0)).isNotNull();
    assertThat(backOff.apply(task, DOCKER, T0.plus(Duration.ofDays(2)))).isNotNull();

    assertThat(task.status()).isEqualTo(TaskStatus.RUNNING);
    assertThat(task.unreachableTries()).isEqualTo(2);
  }

  @Test
  void answeringAgainEndsTheWaitWithOneEvent() {
    Task task = TaskBuilder.aTask().build();
    task.startBuilding(T0);
    backOff.apply(task, DOCKER, T0);

    task.reachableAgain(T0.plusSeconds(5));
    task.reachableAgain(T0.plusSeconds(6));

    assertThat(task.unreachableSince()).isNull();
    assertThat(task.unreachableTries()).isZero();
    assertThat(task.pendingEvents())
        .extracting(e -> e.kind())
        .containsSubsequence(EventKind.UNREACHABLE, EventKind.REACHABLE)
        .filteredOn(EventKind.REACHABLE::equals)
        .hasSize(1);
  }
}
