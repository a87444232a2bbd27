package io.batchexecutor.backend.awsbatch;

import static io.batchexecutor.backend.awsbatch.AwsBatchStepsTest.CONTEXT;
import static io.batchexecutor.backend.awsbatch.AwsBatchStepsTest.registering;
import static io.batchexecutor.backend.awsbatch.AwsBatchStepsTest.settings;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.backend.StepResult;
import io.batchexecutor.support.SettableClock;
import io.batchexecutor.task.EventKind;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskEvent;
import io.batchexecutor.task.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The clean-up may deregister a revision between the moment a task finds it by its fingerprint and
 * the moment its job is submitted: the task then finds its definition again instead of failing, and
 * the revisions an instance found lately are not the clean-up's to take.
 */
class DeregisteredRevisionsTest {

  final FakeBatch batch = new FakeBatch();
  final SettableClock clock = SettableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
  final AwsAccount account = new AwsAccount(new AwsBatchStepsTest.FakeSts());
  final RegisterJobDefinition register =
      new RegisterJobDefinition(batch, batch, account, null, null, clock);
  final SubmitBatchJob submit =
      new SubmitBatchJob(
          batch,
          batch,
          new Throttling(1_000_000, 5, Duration.ofMillis(20), Duration.ofMillis(40), d -> {}),
          SubmitCap.NONE,
          null,
          JsonMapper.builder().build(),
          JobTags.none(),
          null,
          register::forget);

  @Test
  void aRevisionDeregisteredBeforeSubmitJobIsFoundAgainInsteadOfFailingTheTask() throws Exception {
    Task first = registering(settings(2.0, 4.0, 0, "r", "e"), "repo:env");
    register.run(first, CONTEXT);
    String found = first.jobDefinitionArn();
    assertThat(register.recent()).as("remembered lately: not the clean-up's").contains(found);
    Task second = registering(settings(2.0, 4.0, 0, "r", "e"), "repo:env");
    register.run(second, CONTEXT);
    assertThat(second.jobDefinitionArn()).as("found by its fingerprint").isEqualTo(found);

    // another instance's clean-up deregisters it before the second task's SubmitJob
    batch.deregisterJobDefinition(b -> b.jobDefinition(found));
    StepResult result = submit.run(second, CONTEXT);

    assertThat(result).isEqualTo(StepResult.proceed());
    assertThat(second.status()).isEqualTo(TaskStatus.REGISTERING);
    assertThat(second.jobDefinitionArn()).isNull();
    assertThat(second.pendingEvents())
        .filteredOn(e -> e.kind() == EventKind.JOB_DEFINITION)
        .extracting(TaskEvent::reason)
        .last()
        .asString()
        .contains(found + " was deregistered before the job was submitted");
    assertThat(register.handles(second)).isTrue();
    register.run(second, CONTEXT);
    assertThat(second.jobDefinitionArn())
        .as("a new revision: the one remembered was forgotten")
        .isNotEqualTo(found)
        .isNotNull();
    submit.run(second, CONTEXT);
    assertThat(second.status()).isEqualTo(TaskStatus.SUBMITTED);
    assertThat(batch.submitted).singleElement();
  }

  @Test
  void anotherRefusalOfSubmitJobStillFailsTheStep() throws Exception {
    Task task = registering(settings(2.0, 4.0, 0, "r", "e"), "repo:env");
    register.run(task, CONTEXT);

    assertThat(
            new DeregisteredRevisions(batch, DeregisteredRevisions.NOTHING_REMEMBERED)
                .sendBackIfGone(task, CONTEXT.now()))
        .as("the revision is ACTIVE: the refusal was for something else")
        .isFalse();
    assertThat(task.jobDefinitionArn()).isNotNull();
  }
}
