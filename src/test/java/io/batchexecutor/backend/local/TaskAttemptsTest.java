package io.batchexecutor.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.backend.TaskInputs;
import io.batchexecutor.backend.local.AttemptPolicy.Verdict;
import io.batchexecutor.runner.RunnerResult;
import io.batchexecutor.support.TaskBuilder;
import io.batchexecutor.task.EventKind;
import io.batchexecutor.task.SubWorkflows;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskEvent;
import io.batchexecutor.task.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a task's one run records after each attempt, as the policy decides: the next attempt through
 * the launcher (its events, its container), or the task's end with the outcome's reason and error.
 */
class TaskAttemptsTest {

  static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");
  static final String FIRST = "f".repeat(64);
  static final JsonMapper JSON = JsonMapper.builder().build();

  final FakeLauncher launcher = new FakeLauncher();
  final TaskAttempts attempts = new TaskAttempts(launcher, SubWorkflows.NONE);

  /** A task RUNNING in its first attempt's container, allowed three attempts. */
  static Task running() {
    Task task = TaskBuilder.aTask().backend("local").build();
    task.startBuilding(T0);
    task.imageBuilt("batch-executor-env:abc", true, true, T0);
    task.submittedToContainer(FIRST, T0);
    task.attemptStarted(1, Map.of("container_id", FIRST), T0);
    task.observe(TaskStatus.RUNNING, "running", T0);
    return task;
  }

  static RunnerResult result(String json) {
    return RunnerResult.parse(JSON, json.getBytes(StandardCharsets.UTF_8));
  }

  static List<EventKind> kindsSince(Task task, int from) {
    return task.pendingEvents().subList(from, task.pendingEvents().size()).stream()
        .map(TaskEvent::kind)
        .toList();
  }

  @Test
  void anAttemptThatEndedWithoutAResultIsFollowedByTheNextThroughTheLauncher() {
    Task task = running();
    int before = task.pendingEvents().size();

    Verdict verdict =
        attempts
            .settle(task, AttemptOutcome.noResult(137, "the container exited with code 137"), T0)
            .verdict();

    assertThat(verdict).isEqualTo(Verdict.RETRY);
    assertThat(launcher.launches).containsExactly(new FakeLauncher.Launch(2, null, id(1)));
    assertThat(task.status()).isEqualTo(TaskStatus.RUNNING);
    assertThat(task.attempts()).isEqualTo(2);
    assertThat(task.containerId()).isEqualTo(id(1));
    assertThat(kindsSince(task, before))
        .containsExactly(EventKind.RETRY, EventKind.ATTEMPT, EventKind.CONTAINER);
    TaskEvent retry = task.pendingEvents().get(before);
    assertThat(retry.reason()).isEqualTo("the container exited with code 137; starting attempt 2");
    assertThat(retry.details()).containsEntry("exit_code", 137);
  }

  @Test
  void aNextAttemptWhoseStagedUploadIsGoneFailsTheTaskAsUploadNotFound() {
    Task task = running();
    AttemptLauncher gone =
        new FakeLauncher() {
          @Override
          public String launch(Task t, int attempt) {
            throw new TaskInputs.UploadGoneException("the upload abc for /tmp/in.csv is gone");
          }
        };

    new TaskAttempts(gone, SubWorkflows.NONE)
        .settle(task, AttemptOutcome.noResult(137, "the container exited with code 137"), T0);

    assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(task.error().type()).isEqualTo("UploadNotFound");
    assertThat(task.error().message()).isEqualTo("the upload abc for /tmp/in.csv is gone");
    assertThat(task.statusReason()).isEqualTo("the upload abc for /tmp/in.csv is gone");
  }

  @Test
  void aLostContainerIsTriedAgainAndItsExitCodeIsUnknown() {
    Task task = running();
    int before = task.pendingEvents().size();

    attempts.settle(task, AttemptOutcome.lost("the container ffffffffffff disappeared"), T0);

    assertThat(launcher.launches).hasSize(1);
    assertThat(task.pendingEvents().get(before).details()).containsEntry("exit_code", -1);
  }

  @Test
  void theLastAttemptWithoutAResultFailsTheTaskSayingHowManyWereUsed() {
    Task task = running();
    attempts.settle(task, AttemptOutcome.noResult(1, "no result"), T0);
    attempts.settle(task, AttemptOutcome.lost("gone"), T0);
    assertThat(task.attempts()).isEqualTo(3);

    attempts.settle(task, AttemptOutcome.noResult(1, "the container exited with code 1"), T0);

    assertThat(launcher.launches).hasSize(2);
    assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(task.statusReason()).isEqualTo("the container exited with code 1 (attempt 3 of 3)");
    assertThat(task.error().type()).isEqualTo("ContainerFailed");
    assertThat(task.error().message()).isEqualTo("the container exited with code 1");
    assertThat(task.exitCode()).isEqualTo(1);
  }

  @Test
  void aReturnedFunctionSucceedsWithItsResultAndLaunchesNothing() {
    Task task = running();

    attempts.settle(
        task, AttemptOutcome.returned(0, result("{\"ok\": true, \"value\": 3}"), "s3://r"), T0);

    assertThat(task.status()).isEqualTo(TaskStatus.SUCCEEDED);
    assertThat(task.resultPointer()).isEqualTo("s3://r");
    assertThat(launcher.launches).isEmpty();
  }

  @Test
  void aRaisedFunctionFailsWithItsExceptionOnItsFirstAttempt() {
    Task task = running();

    attempts.settle(
        task,
        AttemptOutcome.raised(
            65,
            result(
                "{\"ok\": false, \"error\": {\"type\": \"ValueError\", \"message\": \"boom\","
                    + " \"traceback\": \"tb\"}}"),
            "s3://r"),
        T0);

    assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(task.statusReason()).isEqualTo("the function raised ValueError: boom");
    assertThat(task.error().traceback()).isEqualTo("tb");
    assertThat(task.exitCode()).isEqualTo(65);
    assertThat(launcher.launches).isEmpty();
  }

  @Test
  void runningOutOfMemoryOrTimeEndsTheTaskWithAttemptsLeft() {
    Task memory = running();
    Task time = running();

    attempts.settle(memory, AttemptOutcome.outOfMemory(memory, 137, null), T0);
    attempts.settle(time, AttemptOutcome.timedOut(time), T0);

    assertThat(launcher.launches).isEmpty();
    assertThat(memory.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(memory.error().type()).isEqualTo("OutOfMemory");
    assertThat(memory.statusReason()).isEqualTo(LocalContainers.outOfMemory(memory));
    assertThat(memory.exitCode()).isEqualTo(137);
    assertThat(time.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(time.error().type()).isEqualTo("TimeLimitExceeded");
    assertThat(time.statusReason()).isEqualTo("time limit of 300 s exceeded");
  }

  @Test
  void aStoppedAttemptIsLeftToThePipeline() {
    Task task = running();
    int before = task.pendingEvents().size();

    Verdict verdict = attempts.settle(task, AttemptOutcome.stopped(), T0).verdict();

    assertThat(verdict).isEqualTo(Verdict.LEAVE);
    assertThat(task.status()).isEqualTo(TaskStatus.RUNNING);
    assertThat(task.pendingEvents()).hasSize(before);
    assertThat(launcher.launches).isEmpty();
  }

  static String id(int launch) {
    return String.format("%064x", launch);
  }
}
