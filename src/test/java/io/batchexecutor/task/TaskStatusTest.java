package io.batchexecutor.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchexecutor.support.TaskBuilder;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TaskStatusTest {

  @ParameterizedTest
  @EnumSource(names = {"SUCCEEDED", "FAILED", "CANCELLED"})
  void aFinalStatusIsNeverLeft(TaskStatus end) {
    assertThat(end.isFinal()).isTrue();
    assertThat(Arrays.stream(TaskStatus.values()).filter(end::canMoveTo)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(
      mode = EnumSource.Mode.EXCLUDE,
      names = {"SUCCEEDED", "FAILED", "CANCELLED"})
  void everyUnfinishedStatusCanFailAndBeCancelled(TaskStatus status) {
    assertThat(status.isFinal()).isFalse();
    assertThat(status.canMoveTo(TaskStatus.FAILED)).isTrue();
    assertThat(status.canMoveTo(TaskStatus.CANCELLED)).isTrue();
  }

  @Test
  void thePipelineGoesForwardOnly() {
    assertThat(TaskStatus.WAITING.canMoveTo(TaskStatus.QUEUED)).isTrue();
    assertThat(TaskStatus.WAITING.canMoveTo(TaskStatus.BUILDING)).isFalse();
    assertThat(TaskStatus.QUEUED.canMoveTo(TaskStatus.WAITING)).isFalse();
    assertThat(TaskStatus.QUEUED.canMoveTo(TaskStatus.BUILDING)).isTrue();
    assertThat(TaskStatus.BUILDING.canMoveTo(TaskStatus.PUSHING)).isTrue();
    assertThat(TaskStatus.BUILDING.canMoveTo(TaskStatus.SUBMITTED)).isTrue();
    assertThat(TaskStatus.PUSHING.canMoveTo(TaskStatus.REGISTERING)).isTrue();
    assertThat(TaskStatus.REGISTERING.canMoveTo(TaskStatus.SUBMITTED)).isTrue();
    assertThat(TaskStatus.BUILDING.canMoveTo(TaskStatus.QUEUED)).isFalse();
    assertThat(TaskStatus.SUBMITTED.canMoveTo(TaskStatus.BUILDING)).isFalse();
    assertThat(TaskStatus.QUEUED.canMoveTo(TaskStatus.SUCCEEDED)).isFalse();
    assertThat(TaskStatus.QUEUED.canMoveTo(TaskStatus.RUNNING)).isFalse();
  }

  @Test
  void batchRetriesMayGoBackToRunnable() {
    assertThat(TaskStatus.RUNNING.canMoveTo(TaskStatus.RUNNABLE)).isTrue();
    assertThat(TaskStatus.STARTING.canMoveTo(TaskStatus.RUNNABLE)).isTrue();
    assertThat(TaskStatus.RUNNING.canMoveTo(TaskStatus.SUCCEEDED)).isTrue();
  }

  @Test
  void aFailureWhoseMessageHoldsNulOrBrokenUnicodeIsStillRecordable() {
    Task task = TaskBuilder.aTask().build();
    Instant at = Instant.parse("2026-01-01T00:00:01Z");

    task.fail(
        "the function raised ValueError: a\u0000b\ud800",
        new TaskError("ValueError", "a\u0000b\ud800", "tb\u0000"),
        65,
        null,
        at);

    assertThat(task.statusReason()).isEqualTo("the function raised ValueError: a\uFFFDb\uFFFD");
    assertThat(task.error().message()).isEqualTo("a\uFFFDb\uFFFD");
    assertThat(task.error().traceback()).isEqualTo("tb\uFFFD");
  }

  @Test
  void namedMethodsRefuseIllegalMovesAndRecordLegalOnes() {
    Task task = TaskBuilder.aTask().build();
    Instant at = Instant.parse("2026-01-01T00:00:01Z");

    assertThatThrownBy(() -> task.succeed("file:/x", 0, at))
        .isInstanceOf(IllegalTransitionException.class);
    task.cancel("stop", at);
    assertThatThrownBy(() -> task.startBuilding(at)).isInstanceOf(IllegalTransitionException.class);

    assertThat(task.pendingEvents())
        .extracting(TaskEvent::toStatus)
        .containsExactly(TaskStatus.QUEUED, TaskStatus.CANCELLED);
    assertThat(task.finishedAt()).isEqualTo(at);
  }
}
