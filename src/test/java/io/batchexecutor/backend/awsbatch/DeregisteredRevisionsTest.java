package io.batchexecutor.backend.awsbatch;

import static io.batchexecutor.backend.awsbatch.AwsBatchStepsTest.CONTEXT;
import static io.batchexecutor.backend.awsbatch.AwsBatchStepsTest.registering;
import static io.batchexecutor.backend.awsbatch.AwsBatchStepsTest.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchexecutor.backend.StepResult;
import io.batchexecutor.support.SettableClock;
import io.batchexecutor.task.EventKind;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskEvent;
import io.batchexecutor.task.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.batch.model.ClientException;
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
  final Throttling throttling =
      new Throttling(1_000_000, 5, Duration.ofMillis(20), Duration.ofMillis(40), d -> {});
  final SubmitBatchJob submit =
      new SubmitBatchJob(
          batch,
          batch,
          throttling,
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
  void aRefusalAboutAnActiveDefinitionStillFailsTheStep() throws Exception {
    Task task = registering(settings(2.0, 4.0, 0, "r", "e"), "repo:env");
    register.run(task, CONTEXT);
    int described = batch.definitionsDescribed.get();
    batch.throttleNextDefinitionDescribes.set(2);

    assertThat(
            new DeregisteredRevisions(batch, throttling, DeregisteredRevisions.NOTHING_REMEMBERED)
                .sendBackIfGone(
                    task,
                    refusal("JobDefinition " + task.jobDefinitionArn() + " is not ACTIVE"),
                    CONTEXT.now()))
        .as("the revision is ACTIVE: the refusal was for something else")
        .isFalse();
    assertThat(task.jobDefinitionArn()).isNotNull();
    assertThat(batch.definitionsDescribed.get() - described)
        .as("throttled twice, then answered: through the throttling")
        .isEqualTo(3);
  }

  @Test
  void aRefusalNotAboutTheDefinitionFailsTheStepWithoutLookingItUp() throws Exception {
    Task task = registering(settings(2.0, 4.0, 0, "r", "e"), "repo:env");
    register.run(task, CONTEXT);
    String arn = task.jobDefinitionArn();
    int described = batch.definitionsDescribed.get();
    batch.submitRefusal =
        refusal("Error executing request, Exception : shareIdentifier is not valid, RequestId: 1");

    assertThatThrownBy(() -> submit.run(task, CONTEXT)).isInstanceOf(ClientException.class);

    assertThat(batch.definitionsDescribed.get()).isEqualTo(described);
    assertThat(task.jobDefinitionArn()).isEqualTo(arn);
  }

  @Test
  void aRefusalIsAboutTheDefinitionInAwsWordsAndLooseOnes() {
    assertThat(
            DeregisteredRevisions.aboutTheDefinition(
                refusal(
                    "JobDefinition arn:aws:batch:us-west-2:123456789012:job-definition/x:92 is"
                        + " not in ACTIVE status")))
        .isTrue();
    assertThat(
            DeregisteredRevisions.aboutTheDefinition(
                refusal("JobDefinition name x does not exist or is not in ACTIVE status")))
        .isTrue();
    assertThat(DeregisteredRevisions.aboutTheDefinition(refusal("Job definition x is INACTIVE")))
        .isTrue();
    assertThat(DeregisteredRevisions.aboutTheDefinition(refusal("job-definition x not found")))
        .isTrue();
    assertThat(DeregisteredRevisions.aboutTheDefinition(refusal("Job queue q does not exist")))
        .isFalse();
  }

  @Test
  void aSentBackTaskSaysItsVcpuWasRoundedOnceWhenItsJobIsSubmitted() throws Exception {
    Task task = registering(settings(2.5, 4.0, 0, "r", "e"), "repo:env");
    register.run(task, CONTEXT);
    batch.deregisterJobDefinition(b -> b.jobDefinition(task.jobDefinitionArn()));
    assertThat(submit.run(task, CONTEXT)).isEqualTo(StepResult.proceed());
    batch.throttleNextSubmits.set(100);
    register.run(task, CONTEXT);
    assertThatThrownBy(() -> submit.run(task, CONTEXT))
        .as("throttled throughout")
        .isInstanceOf(software.amazon.awssdk.awscore.exception.AwsServiceException.class);
    assertThat(task.pendingEvents()).noneMatch(e -> e.kind() == EventKind.VCPU_ROUNDED);

    batch.throttleNextSubmits.set(0);
    submit.run(task, CONTEXT);

    assertThat(task.status()).isEqualTo(TaskStatus.SUBMITTED);
    assertThat(task.pendingEvents())
        .filteredOn(e -> e.kind() == EventKind.VCPU_ROUNDED)
        .singleElement()
        .extracting(TaskEvent::reason)
        .asString()
        .contains("runs with 3 vCPU");
  }

  private static ClientException refusal(String message) {
    return ClientException.builder()
        .statusCode(400)
        .message(message)
        .awsErrorDetails(
            AwsErrorDetails.builder().errorCode("ClientException").errorMessage(message).build())
        .build();
  }
}
