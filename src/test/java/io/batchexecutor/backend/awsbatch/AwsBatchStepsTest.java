package io.batchexecutor.backend.awsbatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchexecutor.backend.StepContext;
import io.batchexecutor.backend.StepResult;
import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.support.TaskBuilder;
import io.batchexecutor.support.TestStepContext;
import io.batchexecutor.task.EventKind;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.batch.model.BatchException;
import software.amazon.awssdk.services.batch.model.EvaluateOnExit;
import software.amazon.awssdk.services.batch.model.KeyValuePair;
import software.amazon.awssdk.services.batch.model.LogDriver;
import software.amazon.awssdk.services.batch.model.RegisterJobDefinitionRequest;
import software.amazon.awssdk.services.batch.model.ResourceRequirement;
import software.amazon.awssdk.services.batch.model.RetryAction;
import software.amazon.awssdk.services.batch.model.SubmitJobRequest;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityRequest;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/** The register and submit steps against an in-memory Batch: the exact requests they send. */
class AwsBatchStepsTest {

  static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  static final StepContext CONTEXT = new TestStepContext(() -> NOW);

  final FakeBatch batch = new FakeBatch();
  final AwsAccount account = new AwsAccount(new FakeSts());
  final List<Duration> slept = new ArrayList<>();
  final Throttling throttling =
      new Throttling(1_000_000, 5, Duration.ofMillis(20), Duration.ofMillis(40), slept::add);

  @Test
  void theJobDefinitionCarriesABaselineRolesLogsRetriesTimeoutAndPropagatedTags() throws Exception {
    Task task =
        registering(
            settings(4.0, 8.0, 1, "CovalentBatchJobRole", "arn:aws:iam::999999999999:role/Exec")
                .withExecutionProfile("gpu"));

    new RegisterJobDefinition(batch, batch, account, "eu-west-1", null, Clock.systemUTC())
        .run(task, CONTEXT);

    assertThat(batch.registered).hasSize(1);
    RegisterJobDefinitionRequest r = batch.registered.get(0);
    assertThat(r.jobDefinitionName()).isEqualTo("covalent-batch-jobs");
    assertThat(r.containerProperties().image()).isEqualTo(task.imageRef());
    assertThat(r.containerProperties().resourceRequirements())
        .as("the task's own size goes with SubmitJob")
        .extracting(ResourceRequirement::typeAsString, ResourceRequirement::value)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("VCPU", "1"),
            org.assertj.core.groups.Tuple.tuple("MEMORY", "2048"));
    assertThat(r.propagateTags()).isTrue();
    assertThat(r.tags())
        .containsEntry(JobDefinitions.PROFILE_TAG, "gpu")
        .containsKey(JobDefinitions.FINGERPRINT_TAG);
    assertThat(r.containerProperties().jobRoleArn())
        .isEqualTo("arn:aws:iam::123456789012:role/CovalentBatchJobRole");
    assertThat(r.containerProperties().executionRoleArn())
        .as("an ARN is used as it is")
        .isEqualTo("arn:aws:iam::999999999999:role/Exec");
    assertThat(r.containerProperties().logConfiguration().logDriver()).isEqualTo(LogDriver.AWSLOGS);
    assertThat(r.containerProperties().logConfiguration().options())
        .containsEntry("awslogs-group", "covalent-batch-job-logs")
        .containsEntry("awslogs-region", "eu-west-1");
    assertThat(r.containerProperties().environment())
        .as("nothing task-specific, so that identical definitions are reused")
        .isEmpty();
    assertThat(r.retryStrategy().attempts()).isEqualTo(3);
    List<EvaluateOnExit> rules = r.retryStrategy().evaluateOnExit();
    assertThat(rules.get(0).onExitCode()).isEqualTo("65");
    assertThat(rules.get(0).action()).isEqualTo(RetryAction.EXIT);
    assertThat(rules)
        .anySatisfy(
            e -> {
              assertThat(e.onStatusReason()).isEqualTo("Host EC2*");
              assertThat(e.action()).isEqualTo(RetryAction.RETRY);
            });
    assertThat(rules)
        .anySatisfy(
            e -> {
              assertThat(e.onReason()).isEqualTo("CannotPullContainerError*");
              assertThat(e.action()).isEqualTo(RetryAction.RETRY);
            });
    assertThat(rules.get(rules.size() - 1).onReason()).isEqualTo("*");
    assertThat(rules.get(rules.size() - 1).action()).isEqualTo(RetryAction.EXIT);
    assertThat(r.timeout().attemptDurationSeconds()).isEqualTo(600);
    assertThat(task.jobDefinitionArn()).endsWith("job-definition/covalent-batch-jobs:1");
  }

  @Test
  void theFingerprintDoesNotDependOnHashOrderSoARestartedServiceFindsItsDefinitions() {
    Task task = registering(settings(2.0, 3.75, 0, "r", "e"));

    RegisterJobDefinitionRequest request =
        JobDefinitions.request(task, account, "eu-west-1", "http://127.0.0.1:9");

    // every map in the request iterates in key order, whatever the JVM's hash seed
    assertThat(request.containerProperties().logConfiguration().options().keySet())
        .containsExactly("awslogs-group", "awslogs-region", "awslogs-stream-prefix");
    assertThat(JobDefinitions.request(task, account, "eu-west-1", "http://127.0.0.1:9").tags())
        .isEqualTo(request.tags());
  }

  @Test
  void sixTasksOfOneEnvironmentAtThreeSizesShareOneRevisionTheirJobsCarryTheirSizes()
      throws Exception {
    String image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:env";
    RegisterJobDefinition register =
        new RegisterJobDefinition(batch, batch, account, null, null, Clock.systemUTC());
    SubmitBatchJob submit = new SubmitBatchJob(batch, throttling);
    List<TaskSettings> sizes =
        List.of(
            settings(1.0, 2.0, 0, "r", "e"),
            settings(4.0, 16.0, 0, "r", "e"),
            settings(8.0, 30.5, 2, "r", "e"));
    for (int i = 0; i < 6; i++) {
      Task task = registering(sizes.get(i % 3), image);
      register.run(task, CONTEXT);
      submit.run(task, CONTEXT);
    }

    assertThat(batch.registered).hasSize(1);
    assertThat(batch.submitted).hasSize(6);
    assertThat(batch.submitted.stream().map(SubmitJobRequest::jobDefinition).distinct()).hasSize(1);
    List<List<String>> overrides =
        batch.submitted.stream()
            .map(
                r ->
                    r.containerOverrides().resourceRequirements().stream()
                        .map(q -> q.typeAsString() + "=" + q.value())
                        .toList())
            .toList();
    assertThat(overrides)
        .containsExactly(
            List.of("VCPU=1", "MEMORY=2048"),
            List.of("VCPU=4", "MEMORY=16384"),
            List.of("VCPU=8", "MEMORY=31232", "GPU=2"),
            List.of("VCPU=1", "MEMORY=2048"),
            List.of("VCPU=4", "MEMORY=16384"),
            List.of("VCPU=8", "MEMORY=31232", "GPU=2"));
  }

  @Test
  void aJobIsTaggedWithItsTaskClientProfileAndTheProfilesTagsAndPropagatesThem() throws Exception {
    JobTags tags = new JobTags(Map.of("gpu", Map.of("cost-center", "ml-42", "team:owner", "ml")));
    Task task =
        registering(
            settings(2.0, 3.75, 0, "r", "e").withExecutionProfile("gpu"),
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:x",
            "team-a");
    new RegisterJobDefinition(batch, batch, account, null, null, Clock.systemUTC())
        .run(task, CONTEXT);

    new SubmitBatchJob(
            batch,
            batch,
            throttling,
            SubmitCap.NONE,
            null,
            tools.jackson.databind.json.JsonMapper.builder().build(),
            tags,
            null)
        .run(task, CONTEXT);

    SubmitJobRequest r = batch.submitted.get(0);
    assertThat(r.propagateTags()).isTrue();
    assertThat(r.tags())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "batch-executor:task-id", task.id().toString(),
                "batch-executor:client", "team-a",
                "batch-executor:execution-profile", "gpu",
                "cost-center", "ml-42",
                "team:owner", "ml"));
  }

  @Test
  void profileTagsAwsWouldRefuseAreNamedAtStartUp() {
    Map<String, String> many = new java.util.TreeMap<>();
    for (int i = 0; i < 45; i++) {
      many.put("k" + i, "v");
    }
    assertThat(JobTags.check("p.tags", many)).singleElement().asString().contains("at most 44");
    assertThat(
            JobTags.check(
                "p.tags",
                Map.of(
                    "aws:cost", "x", "AWS:other", "x", "batch-executor:client", "x", "ok", "é#")))
        .containsExactly(
            "p.tags.AWS:other: the prefix aws: is reserved by AWS",
            "p.tags.aws:cost: the prefix aws: is reserved by AWS",
            "p.tags.batch-executor:client: the prefix batch-executor: is the service's own",
            "p.tags.ok: a tag value is 0-256 letters, digits, spaces and + - = . _ : / @");
    assertThat(JobTags.check("p.tags", Map.of("k".repeat(129), "v"))).hasSize(1);
    assertThat(JobTags.check("p.tags", Map.of("team", "v".repeat(257)))).hasSize(1);
    assertThat(JobTags.check("p.tags", Map.of("team name", "ML / platform @ eu-west-1"))).isEmpty();
  }

  @Test
  void anIdenticalRevisionIsReusedAndADifferentOneRegistered() throws Exception {
    String image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:abc";
    Task first = registering(settings(2.0, 3.75, 0, "r", "e"), image);
    Task second = registering(settings(2.0, 3.75, 0, "r", "e"), image);
    Task bigger = registering(settings(8.0, 3.75, 0, "other-role", "e"), image);
    RegisterJobDefinition step =
        new RegisterJobDefinition(batch, batch, account, null, null, Clock.systemUTC());

    step.run(first, CONTEXT);
    step.run(second, CONTEXT);
    step.run(bigger, CONTEXT);

    assertThat(batch.registered).hasSize(2);
    assertThat(second.jobDefinitionArn()).isEqualTo(first.jobDefinitionArn()).endsWith(":1");
    assertThat(bigger.jobDefinitionArn()).endsWith(":2");
  }

  @Test
  void aFirstSubmitSendsSubmitJobAloneAndARunThatMayFollowALostAnswerLooksFirst() throws Exception {
    StepContext firstRun =
        new StepContext() {
          @Override
          public Instant now() {
            return NOW;
          }

          @Override
          public boolean stopRequested() {
            return false;
          }

          @Override
          public void recordNow(EventKind kind, String reason, Map<String, Object> details) {
            throw new UnsupportedOperationException(kind.name());
          }

          @Override
          public boolean firstRun() {
            return true;
          }
        };

    new SubmitBatchJob(batch, throttling).run(registered(), firstRun);
    assertThat(batch.listed.get()).as("no ListJobs before a first SubmitJob").isZero();
    assertThat(batch.submitted).hasSize(1);

    new SubmitBatchJob(batch, throttling).run(registered(), CONTEXT);
    assertThat(batch.listed.get()).as("looked up: an earlier run may have submitted").isOne();
    assertThat(batch.submitted).hasSize(2);
  }

  @Test
  void tasksRegisteringOneDefinitionAtOnceRegisterItOnce() throws Exception {
    String image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:env";
    RegisterJobDefinition step =
        new RegisterJobDefinition(batch, batch, account, null, null, Clock.systemUTC());
    List<Task> tasks = new java.util.ArrayList<>();
    for (int i = 0; i < 16; i++) {
      tasks.add(registering(settings(2.0, 3.75, 0, "r", "e"), image));
    }
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<StepResult>> runs = new java.util.ArrayList<>();
      for (Task t : tasks) {
        runs.add(pool.submit(() -> step.run(t, CONTEXT)));
      }
      for (java.util.concurrent.Future<StepResult> run : runs) {
        run.get();
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(batch.registered).hasSize(1);
    assertThat(tasks.stream().map(Task::jobDefinitionArn).distinct()).hasSize(1);
  }

  @Test
  void toAFairShareQueueAJobGoesWithItsClientAsShareIdentifierTheQueueReadOnce() throws Exception {
    batch.queues.add("covalent-batch-queue");
    batch.fairShareQueues.add("covalent-batch-queue");
    SubmitBatchJob submit = new SubmitBatchJob(batch, throttling);

    submit.run(registered("team-a-1"), CONTEXT);
    submit.run(registered("teamxa1"), CONTEXT);

    assertThat(batch.submitted)
        .extracting(SubmitJobRequest::shareIdentifier)
        .containsExactly("teamXaX1", "teamxa1");
    assertThat(batch.queuesDescribed.get()).as("the queue's policy is read once").isOne();
  }

  @Test
  void toAFifoQueueAJobGoesWithoutShareIdentifier() throws Exception {
    batch.queues.add("covalent-batch-queue");
    SubmitBatchJob submit = new SubmitBatchJob(batch, throttling);

    submit.run(registered("team-a"), CONTEXT);
    submit.run(registered("team-a"), CONTEXT);

    assertThat(batch.submitted).extracting(SubmitJobRequest::shareIdentifier).containsOnlyNulls();
    assertThat(batch.queuesDescribed.get()).isOne();
  }

  @Test
  void toAFifoQueueATaskOverItsClientsCapWaitsInsteadOfBeingSubmitted() throws Exception {
    batch.queues.add("covalent-batch-queue");
    java.util.concurrent.atomic.AtomicInteger unfinished =
        new java.util.concurrent.atomic.AtomicInteger(2);
    List<String> counted = new ArrayList<>();
    SubmitCap cap =
        new SubmitCap(
            2,
            (owner, profile, atMost) -> {
              counted.add(owner + "/" + atMost);
              return unfinished.get();
            });
    SubmitBatchJob submit = new SubmitBatchJob(batch, throttling, cap);
    Task task = registered("team-a");

    StepResult waited = submit.run(task, CONTEXT);

    assertThat(batch.submitted).isEmpty();
    assertThat(batch.listed.get()).as("no ListJobs while it waits behind the cap").isZero();
    assertThat(counted).containsExactly("team-a/2");
    assertThat(waited.next()).isEqualTo(StepResult.Next.RELEASE);
    assertThat(waited.after()).isGreaterThanOrEqualTo(Duration.ofSeconds(30));
    assertThat(task.status()).isEqualTo(TaskStatus.REGISTERING);
    assertThat(task.statusReason()).contains("batch-executor.awsbatch.max-submitted-per-client");

    unfinished.set(1);
    submit.run(task, CONTEXT);

    assertThat(batch.submitted).hasSize(1);
    assertThat(task.status()).isEqualTo(TaskStatus.SUBMITTED);
  }

  @Test
  void aFairShareQueueAndACapOfZeroCapNothing() throws Exception {
    batch.queues.add("covalent-batch-queue");
    batch.fairShareQueues.add("covalent-batch-queue");
    new SubmitBatchJob(batch, throttling, new SubmitCap(2, (owner, profile, atMost) -> 50))
        .run(registered("team-a"), CONTEXT);
    batch.fairShareQueues.clear();
    FakeBatch fifo = new FakeBatch();
    fifo.queues.add("covalent-batch-queue");
    new SubmitBatchJob(fifo, throttling, new SubmitCap(0, (owner, profile, atMost) -> 50))
        .run(registered("team-a"), CONTEXT);

    assertThat(batch.submitted).hasSize(1);
    assertThat(fifo.submitted).hasSize(1);
  }

  @Test
  void submitUsesTheExactRevisionAndADeterministicName() throws Exception {
    Task task = registered();

    StepResult result = new SubmitBatchJob(batch, throttling).run(task, CONTEXT);

    assertThat(batch.submitted).hasSize(1);
    assertThat(batch.submitted.get(0).jobDefinition()).isEqualTo(task.jobDefinitionArn());
    assertThat(batch.submitted.get(0).jobName()).isEqualTo("batch-executor-" + task.id());
    assertThat(batch.submitted.get(0).jobQueue()).isEqualTo("covalent-batch-queue");
    assertThat(batch.submitted.get(0).containerOverrides().environment())
        .extracting(KeyValuePair::name, KeyValuePair::value)
        .contains(
            org.assertj.core.groups.Tuple.tuple(
                "BATCH_EXECUTOR_RESULT_S3_URI",
                "s3://covalent-batch-job-resources/batch-executor/"
                    + task.owner()
                    + "/"
                    + task.id()
                    + "/"));
    assertThat(task.status()).isEqualTo(TaskStatus.SUBMITTED);
    assertThat(task.batchJobId()).isEqualTo("job-1");
    assertThat(result.next()).isEqualTo(StepResult.Next.RELEASE);
    assertThat(result.after()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void aRerunAfterACrashFindsTheJobInsteadOfSubmittingASecond() throws Exception {
    Task task = registered();
    batch.existingJob("job-from-before", "batch-executor-" + task.id(), "covalent-batch-queue");

    new SubmitBatchJob(batch, throttling).run(task, CONTEXT);

    assertThat(batch.submitted).isEmpty();
    assertThat(task.batchJobId()).isEqualTo("job-from-before");
    assertThat(task.pendingEvents())
        .anySatisfy(e -> assertThat(e.kind()).isEqualTo(EventKind.RECOVERED));
  }

  @Test
  void throttledSubmitsBackOffWithJitterAndSucceed() throws Exception {
    Task task = registered();
    batch.throttleNextSubmits.set(2);

    long started = System.nanoTime();
    new SubmitBatchJob(batch, throttling).run(task, CONTEXT);
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(batch.submitted).hasSize(1);
    assertThat(batch.throttleNextSubmits.get()).as("both throttled tries were made").isZero();
    // 20 ms then 40 ms, each ±20 %
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(16 + 32));
    assertThat(slept).as("the rate limit itself never had to wait").isEmpty();
  }

  @Test
  void throttlingThatDoesNotEndIsReported() throws Exception {
    Task task = registered();
    batch.throttleNextSubmits.set(100);

    assertThatThrownBy(() -> new SubmitBatchJob(batch, throttling).run(task, CONTEXT))
        .isInstanceOf(BatchException.class);
    assertThat(batch.submitted).isEmpty();
    assertThat(100 - batch.throttleNextSubmits.get()).as("tries in all").isEqualTo(5);
  }

  @Test
  void cancelTerminatesTheJob() throws Exception {
    Task task = registered();
    task.submittedAsJob("job-9", "AWS Batch", NOW);
    AwsBatchBackend backend = new AwsBatchBackend(List.of(), batch, null);

    backend.stop(task);

    assertThat(batch.terminated).hasSize(1);
    assertThat(batch.terminated.get(0).jobId()).isEqualTo("job-9");
  }

  @Test
  void cancelBeforeTheIdWasWrittenFindsTheJobByName() throws Exception {
    Task task = registered();
    batch.existingJob("job-lost", "batch-executor-" + task.id(), "covalent-batch-queue");

    new AwsBatchBackend(List.of(), batch, null).stop(task);

    assertThat(batch.terminated).extracting(t -> t.jobId()).containsExactly("job-lost");
  }

  // ---- test data ------------------------------------------------------------------------------

  static TaskSettings settings(
      double vcpu, double memory, int gpus, String jobRole, String execRole) {
    return new TaskSettings(
        null,
        "covalent-batch-job-resources",
        "covalent-batch-job-images",
        "covalent-batch-jobs",
        "covalent-batch-queue",
        execRole,
        jobRole,
        "covalent-batch-job-logs",
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

  static Task registering(TaskSettings settings) {
    return registering(
        settings, "123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:" + UUID.randomUUID());
  }

  /** A task walked through its named methods to REGISTERING, with its image pushed. */
  static Task registering(TaskSettings settings, String image) {
    return registering(settings, image, "anonymous");
  }

  static Task registering(TaskSettings settings, String image, String owner) {
    Task task =
        TaskBuilder.aTask()
            .owner(owner)
            .backend("awsbatch")
            .settings(settings)
            .acceptedAt(NOW)
            .build();
    task.startBuilding(NOW);
    task.imageBuilt("batch-executor-task:abc", false, NOW);
    task.startPushing(NOW);
    task.imagePushed(image, false, NOW);
    task.startRegistering(NOW);
    return task;
  }

  @Test
  void aSweepIsOneArrayJobWithAChildPerCombination() throws InterruptedException {
    Task sweep =
        TaskBuilder.aTask()
            .backend("awsbatch")
            .sweep(java.util.Map.of("C", List.of(0.1, 1, 10), "gamma", List.of(0.1, 0.7)))
            .acceptedAt(NOW)
            .build();
    sweep.startBuilding(NOW);
    sweep.imageBuilt("batch-executor-task:abc", false, NOW);
    sweep.startPushing(NOW);
    sweep.imagePushed("repo:abc", false, NOW);
    sweep.startRegistering(NOW);
    sweep.registered("arn:aws:batch:us-east-1:123456789012:job-definition/d:1", NOW);

    new SubmitBatchJob(batch, throttling).run(sweep, CONTEXT);
    Task single = registered();
    new SubmitBatchJob(batch, throttling).run(single, CONTEXT);

    assertThat(batch.submitted.get(0).arrayProperties().size()).isEqualTo(6);
    assertThat(batch.submitted.get(1).arrayProperties()).as("a lone task is no array").isNull();
  }

  Task registered() throws InterruptedException {
    return registered("anonymous");
  }

  Task registered(String owner) throws InterruptedException {
    Task task =
        registering(
            settings(2.0, 3.75, 0, "r", "e"),
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:" + UUID.randomUUID(),
            owner);
    new RegisterJobDefinition(batch, batch, account, null, null, Clock.systemUTC())
        .run(task, CONTEXT);
    return task;
  }

  /** STS that answers for account 123456789012. */
  static class FakeSts implements StsClient {
    @Override
    public GetCallerIdentityResponse getCallerIdentity(GetCallerIdentityRequest request) {
      return GetCallerIdentityResponse.builder()
          .account("123456789012")
          .arn("arn:aws:iam::123456789012:user/ci")
          .userId("AIDA")
          .build();
    }

    @Override
    public String serviceName() {
      return "sts";
    }

    @Override
    public void close() {}
  }
}
