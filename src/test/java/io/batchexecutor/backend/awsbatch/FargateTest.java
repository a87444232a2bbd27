package io.batchexecutor.backend.awsbatch;

import static io.batchexecutor.backend.awsbatch.AwsBatchStepsTest.CONTEXT;
import static io.batchexecutor.backend.awsbatch.AwsBatchStepsTest.registering;
import static io.batchexecutor.backend.awsbatch.AwsBatchStepsTest.settings;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.support.SettableClock;
import io.batchexecutor.task.EventKind;
import io.batchexecutor.task.InvalidTaskException;
import io.batchexecutor.task.InvalidTaskException.Violation;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskEvent;
import io.batchexecutor.task.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.batch.model.AssignPublicIp;
import software.amazon.awssdk.services.batch.model.PlatformCapability;
import software.amazon.awssdk.services.batch.model.RegisterJobDefinitionRequest;
import software.amazon.awssdk.services.batch.model.SubmitJobRequest;

/**
 * Fargate: the queue's platform, the definitions for it, and its sizes at acceptance and submit.
 */
class FargateTest {

  final FakeBatch batch = new FakeBatch();
  final SettableClock clock = SettableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
  final QueuePlatforms platforms = new QueuePlatforms(batch, clock, Duration.ofMinutes(10));
  final FargateRules rules = new FargateRules(platforms);
  final AwsAccount account = new AwsAccount(new AwsBatchStepsTest.FakeSts());
  final FargateOptions options = new FargateOptions(true, "1.4.0", 50);

  FargateTest() {
    batch.queues.addAll(List.of("ec2", "fargate", "mixed", "empty"));
    batch.queueEnvironments.put("ec2", List.of("EC2", "SPOT"));
    batch.queueEnvironments.put("fargate", List.of("FARGATE", "FARGATE_SPOT"));
    batch.queueEnvironments.put("mixed", List.of("SPOT", "FARGATE"));
    batch.queueEnvironments.put("empty", List.of());
  }

  @Test
  void fargatesSizesAreItsTableAndADefaultRoundsUpToTheSmallestThatHoldsIt() {
    assertThat(FargateSizes.valid(0.25, 512)).isTrue();
    assertThat(FargateSizes.valid(2, 3840)).isFalse();
    assertThat(FargateSizes.valid(8, 20480)).isTrue();
    assertThat(FargateSizes.valid(8, 18432)).as("8 vCPU: steps of 4096").isFalse();
    assertThat(FargateSizes.valid(16, 122880)).isTrue();
    assertThat(FargateSizes.roundUp(2, 3840)).contains(new FargateSizes.Size(2, 4096));
    assertThat(FargateSizes.roundUp(0.25, 3840)).contains(new FargateSizes.Size(0.5, 4096));
    assertThat(FargateSizes.roundUp(16, 130_000)).isEmpty();
    assertThat(FargateSizes.nearest(3, 3840)).hasToString("4 vCPU with 8192 MiB");
  }

  @Test
  void theQueuesPlatformComesFromItsComputeEnvironmentsAndIsReadAgainAfterTheRefresh() {
    assertThat(platforms.of("ec2")).isEqualTo(QueuePlatforms.Platform.EC2);
    assertThat(platforms.of("fargate")).isEqualTo(QueuePlatforms.Platform.FARGATE);
    QueuePlatforms.Platform mixed = platforms.of("mixed");
    assertThat(mixed.kind()).isEqualTo(QueuePlatforms.Platform.Kind.UNUSABLE);
    assertThat(mixed.reason()).contains("mixes EC2 and Fargate");
    assertThat(platforms.of("empty").kind()).isEqualTo(QueuePlatforms.Platform.Kind.UNUSABLE);
    assertThat(platforms.of("absent").kind()).isEqualTo(QueuePlatforms.Platform.Kind.UNKNOWN);
    int described = batch.queuesDescribed.get();

    platforms.of("fargate");
    assertThat(batch.queuesDescribed.get()).as("remembered").isEqualTo(described);
    batch.queueEnvironments.put("fargate", List.of("EC2"));
    clock.advance(Duration.ofMinutes(11));

    assertThat(platforms.of("fargate")).isEqualTo(QueuePlatforms.Platform.EC2);
  }

  @Test
  void onFargateARequestedVcpuThatIsNoFargateSizeIsRefusedNamingTheValidValues() {
    List<Violation> problems =
        rules.problems(requested(3.0, null), effective("fargate", 3.0, 3.75, 0));

    assertThat(problems)
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo("executor.vcpu");
              assertThat(v.kind()).isEqualTo(InvalidTaskException.NOT_ON_PLATFORM);
              assertThat(v.message())
                  .contains("0.25, 0.5, 1, 2, 4, 8, 16")
                  .contains("not 3")
                  .contains("nearest valid size is 4 vCPU with 8192 MiB");
            });
  }

  @Test
  void onFargateARequestedPairThatIsNoSizeAndGpusAreRefused() {
    assertThat(rules.problems(requested(2.0, 3.0), effective("fargate", 2.0, 3.0, 0)))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo("executor.memory");
              assertThat(v.message()).contains("4096 to 16384 MiB in steps of 1024 with 2 vCPU");
            });
    assertThat(rules.problems(requested(null, null), effective("fargate", 2.0, 4.0, 1)))
        .extracting(Violation::field)
        .containsExactly("executor.num_gpus");
  }

  @Test
  void defaultsThatAreNoFargateSizeAreAcceptedAndAnEc2QueueChecksNothing() {
    assertThat(rules.problems(requested(null, null), effective("fargate", 2.0, 3.75, 0))).isEmpty();
    assertThat(rules.problems(requested(3.0, 3.0), effective("ec2", 3.0, 3.0, 2))).isEmpty();
  }

  @Test
  void onEc2ARequestedFractionOfAVcpuIsRefusedNamingTheNearestWholeValue() {
    assertThat(rules.problems(requested(0.5, null), effective("ec2", 0.5, 1.0, 0)))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo("executor.vcpu");
              assertThat(v.kind()).isEqualTo(InvalidTaskException.NOT_ON_PLATFORM);
              assertThat(v.message())
                  .contains("whole number of vCPUs on EC2")
                  .contains("not 0.5")
                  .contains("nearest valid value is 1");
            });
    assertThat(rules.problems(requested(2.5, null), effective("ec2", 2.5, 4.0, 0)))
        .extracting(Violation::message)
        .singleElement()
        .asString()
        .contains("nearest valid value is 3");
    assertThat(rules.problems(requested(null, null), effective("ec2", 0.5, 4.0, 0)))
        .as("a default is rounded up at submission instead")
        .isEmpty();
  }

  @Test
  void aFractionalDefaultOnEc2IsRoundedUpInTheOverridesAndTheEventsSaySo() throws Exception {
    Task task = registering(on("ec2", 0.5, 1.0));
    new RegisterJobDefinition(
            batch, batch, account, null, null, clock, platforms, options, java.util.Map.of())
        .run(task, CONTEXT);

    new SubmitBatchJob(
            batch,
            batch,
            new Throttling(1_000_000, 5, Duration.ofMillis(20), Duration.ofMillis(40), d -> {}),
            SubmitCap.NONE,
            null,
            tools.jackson.databind.json.JsonMapper.builder().build(),
            JobTags.none(),
            platforms)
        .run(task, CONTEXT);

    SubmitJobRequest submitted = batch.submitted.get(0);
    assertThat(
            submitted.containerOverrides().resourceRequirements().stream()
                .map(r -> r.typeAsString() + "=" + r.value()))
        .containsExactly("VCPU=1", "MEMORY=1024");
    assertThat(task.pendingEvents())
        .filteredOn(e -> e.kind().equals(EventKind.VCPU_ROUNDED))
        .extracting(TaskEvent::reason)
        .containsExactly("runs with 1 vCPU: AWS Batch takes whole vCPUs on EC2, not 0.5");
  }

  @Test
  void aProfileWhoseQueueMixesPlatformsRefusesItsTasksWithTheReason() {
    assertThat(rules.problems(requested(null, null), effective("mixed", 2.0, 4.0, 0)))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.field()).isEqualTo("executor.execution_profile");
              assertThat(v.kind()).isEqualTo(InvalidTaskException.PROFILE_UNUSABLE);
              assertThat(v.message()).contains("mixes EC2 and Fargate");
            });
  }

  @Test
  void aFargateQueuesDefinitionIsAFargateOneAndAnEc2QueuesIsNot() throws Exception {
    RegisterJobDefinition register =
        new RegisterJobDefinition(
            batch, batch, account, null, null, clock, platforms, options, java.util.Map.of());
    Task onFargate = registering(on("fargate", 2.0, 4.0));
    Task onEc2 = registering(on("ec2", 2.0, 4.0));

    register.run(onFargate, CONTEXT);
    register.run(onEc2, CONTEXT);

    RegisterJobDefinitionRequest fargate = batch.registered.get(0);
    assertThat(fargate.platformCapabilities()).containsExactly(PlatformCapability.FARGATE);
    assertThat(fargate.containerProperties().networkConfiguration().assignPublicIp())
        .isEqualTo(AssignPublicIp.ENABLED);
    assertThat(fargate.containerProperties().fargatePlatformConfiguration().platformVersion())
        .isEqualTo("1.4.0");
    assertThat(fargate.containerProperties().ephemeralStorage().sizeInGiB()).isEqualTo(50);
    assertThat(fargate.containerProperties().executionRoleArn()).isNotBlank();
    RegisterJobDefinitionRequest ec2 = batch.registered.get(1);
    assertThat(ec2.platformCapabilities()).isEmpty();
    assertThat(ec2.containerProperties().networkConfiguration()).isNull();
    assertThat(onFargate.jobDefinitionArn()).isNotEqualTo(onEc2.jobDefinitionArn());
  }

  @Test
  void aTaskOnAMixedQueueFailsAtRegistrationSayingWhy() throws Exception {
    Task task = registering(on("mixed", 2.0, 4.0));

    new RegisterJobDefinition(
            batch, batch, account, null, null, clock, platforms, options, java.util.Map.of())
        .run(task, CONTEXT);

    assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(task.statusReason()).contains("mixes EC2 and Fargate");
    assertThat(batch.registered).isEmpty();
  }

  @Test
  void defaultsOnFargateAreRoundedUpInTheOverridesAndTheEventsSaySo() throws Exception {
    Task task = registering(on("fargate", 2.0, 3.75));
    new RegisterJobDefinition(
            batch, batch, account, null, null, clock, platforms, options, java.util.Map.of())
        .run(task, CONTEXT);

    new SubmitBatchJob(
            batch,
            batch,
            new Throttling(1_000_000, 5, Duration.ofMillis(20), Duration.ofMillis(40), d -> {}),
            SubmitCap.NONE,
            null,
            tools.jackson.databind.json.JsonMapper.builder().build(),
            JobTags.none(),
            platforms)
        .run(task, CONTEXT);

    SubmitJobRequest submitted = batch.submitted.get(0);
    assertThat(
            submitted.containerOverrides().resourceRequirements().stream()
                .map(r -> r.typeAsString() + "=" + r.value()))
        .containsExactly("VCPU=2", "MEMORY=4096");
    assertThat(task.pendingEvents())
        .filteredOn(e -> e.kind().equals(EventKind.FARGATE_SIZE))
        .extracting(TaskEvent::reason)
        .containsExactly(
            "runs as 2 vCPU with 4096 MiB on Fargate: the smallest Fargate size that holds 2 vCPU"
                + " with 3840 MiB");
  }

  @Test
  void aTaskWhoseQueuesPlatformIsNotKnownWaitsInsteadOfSubmitting() throws Exception {
    Task task = registering(on("fargate", 2.0, 3.75));
    new RegisterJobDefinition(
            batch, batch, account, null, null, clock, platforms, options, java.util.Map.of())
        .run(task, CONTEXT);
    batch.queues.remove("fargate");
    clock.advance(Duration.ofMinutes(11));

    io.batchexecutor.backend.StepResult result =
        new SubmitBatchJob(
                batch,
                batch,
                new Throttling(1_000_000, 5, Duration.ofMillis(20), Duration.ofMillis(40), d -> {}),
                SubmitCap.NONE,
                null,
                tools.jackson.databind.json.JsonMapper.builder().build(),
                JobTags.none(),
                platforms)
            .run(task, CONTEXT);

    assertThat(batch.submitted).isEmpty();
    assertThat(task.statusReason()).startsWith("waiting for the queue's platform");
    assertThat(result)
        .isEqualTo(io.batchexecutor.backend.StepResult.releaseFor(QueuePlatforms.UNUSABLE_FOR));
  }

  @Test
  void aTaskWaitingForAQueueThatCannotBeReadFailsAfterTheGiveUpTimeAndNewOnesAreRefused()
      throws Exception {
    RegisterJobDefinition register =
        new RegisterJobDefinition(
            batch, batch, account, null, null, clock, platforms, options, java.util.Map.of());
    Task task = registering(on("absent", 2.0, 4.0));

    assertThat(register.run(task, CONTEXT))
        .isEqualTo(io.batchexecutor.backend.StepResult.releaseFor(QueuePlatforms.UNUSABLE_FOR));
    clock.advance(Duration.ofMinutes(29));
    register.run(task, CONTEXT);
    assertThat(task.status()).as("still within the 30 min").isEqualTo(TaskStatus.REGISTERING);
    assertThat(task.statusReason()).startsWith("waiting for the queue's platform");
    assertThat(rules.problems(requested(null, null), effective("absent", 2.0, 4.0, 0))).isEmpty();

    clock.advance(Duration.ofMinutes(2));
    register.run(task, CONTEXT);

    assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(task.statusReason())
        .contains("job queue absent does not exist")
        .contains("for 31 min")
        .contains("batch-executor.awsbatch.platform-give-up-after");
    assertThat(task.error().type()).isEqualTo("ProfileUnusable");
    assertThat(rules.problems(requested(null, null), effective("absent", 2.0, 4.0, 0)))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.kind()).isEqualTo(InvalidTaskException.PROFILE_UNUSABLE);
              assertThat(v.message()).contains("platform-give-up-after");
            });
    assertThat(batch.registered).isEmpty();

    // the queue appears: read again after a minute, usable again
    batch.queues.add("absent");
    batch.queueEnvironments.put("absent", List.of("EC2"));
    clock.advance(Duration.ofMinutes(2));
    assertThat(platforms.of("absent")).isEqualTo(QueuePlatforms.Platform.EC2);
    assertThat(rules.problems(requested(null, null), effective("absent", 2.0, 4.0, 0))).isEmpty();
  }

  static TaskSettings requested(Double vcpu, Double memory) {
    return new TaskSettings(
        null, null, null, null, null, null, null, null, vcpu, memory, null, null, null, null, null,
        null, null);
  }

  static TaskSettings effective(String queue, double vcpu, double memory, int gpus) {
    return new TaskSettings(
        "awsbatch",
        "bucket",
        "repo",
        "jobs",
        queue,
        "exec",
        "job",
        "logs",
        vcpu,
        memory,
        gpus,
        3,
        600,
        10,
        null,
        null,
        null);
  }

  static TaskSettings on(String queue, double vcpu, double memory) {
    TaskSettings s = settings(vcpu, memory, 0, "r", "e");
    return new TaskSettings(
        s.executionProfile(),
        s.s3BucketName(),
        s.ecrRepoName(),
        s.batchJobDefinitionName(),
        queue,
        s.batchExecutionRoleName(),
        s.batchJobRoleName(),
        s.batchJobLogGroupName(),
        vcpu,
        memory,
        0,
        3,
        600,
        10,
        null,
        null,
        null);
  }
}
