package io.batchexecutor.backend.awsbatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.backend.BackOff;
import io.batchexecutor.backend.ResultDigests;
import io.batchexecutor.backend.StepContext;
import io.batchexecutor.backend.StepResult;
import io.batchexecutor.backend.TaskInputs;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Sha256;
import io.batchexecutor.support.TaskBuilder;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskObjects;
import io.batchexecutor.task.TaskQueries;
import io.batchexecutor.task.TaskRepository;
import io.batchexecutor.task.TaskSpec;
import io.batchexecutor.task.TaskStatus;
import io.batchexecutor.task.WorkQueue;
import io.batchexecutor.workflow.Workflow;
import io.batchexecutor.workflow.WorkflowRepository;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import software.amazon.awssdk.services.batch.model.JobStatus;
import software.amazon.awssdk.services.batch.model.KeyValuePair;
import software.amazon.awssdk.services.batch.model.SubmitJobRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Workflow tasks on AWS Batch, against an in-memory Batch and the real database: a dependant is
 * submitted once its dependencies succeeded, with where to read their results and the digests they
 * were collected with; and what a failed dependency does to it.
 */
@ServiceTest
class WorkflowOnBatchTest {

  static final Instant NOW = AwsBatchStepsTest.NOW;
  static final StepContext CONTEXT = AwsBatchStepsTest.CONTEXT;

  @Autowired TaskRepository tasks;
  @Autowired TaskQueries queries;
  @Autowired WorkQueue queue;
  @Autowired WorkflowRepository workflows;
  @Autowired JdbcClient jdbc;
  @Autowired io.batchexecutor.task.SubWorkflows subWorkflows;
  final JsonMapper json = JsonMapper.builder().build();
  final FakeBatch batch = new FakeBatch();
  final InMemoryObjectStore s3 = new InMemoryObjectStore();
  SubmitBatchJob submit;
  Map<String, Task> workflow;

  @BeforeEach
  void setUp() {
    ObjectStores stores = new ObjectStores(s3, List.of(s3));
    Throttling throttling =
        new Throttling(1_000_000, 3, Duration.ofMillis(1), Duration.ofMillis(2), d -> {});
    submit =
        new SubmitBatchJob(
            batch, batch, throttling, SubmitCap.NONE, new TaskInputs(queries, stores, json), json);
    // load -> train -> score, and score also takes load
    workflow = store(Map.of("train", List.of("load"), "score", List.of("load", "train")));
  }

  @Test
  void aDependantWaitsUntilEveryDependencySucceeded() throws InterruptedException {
    succeeded("load");
    submitted("train", "job-train");

    Task score = registering("score");
    StepResult result = submit.run(score, CONTEXT);

    assertThat(result.next()).isEqualTo(StepResult.Next.RELEASE);
    assertThat(batch.submitted).isEmpty();
    assertThat(score.status()).isEqualTo(TaskStatus.REGISTERING);
    assertThat(score.statusReason())
        .isEqualTo("waiting for 'train' to succeed: it is submitted with its result's digest");
  }

  @Test
  void aDependantIsSubmittedWithWhereToReadItsInputsAndTheirDigests() throws InterruptedException {
    succeeded("load");
    succeeded("train");

    Task score = registering("score");
    submit.run(score, CONTEXT);

    SubmitJobRequest request = batch.submitted.get(0);
    assertThat(request.dependsOn()).as("Batch holds nothing: its inputs are there").isEmpty();
    JsonNode inputs = environment(request, "BATCH_EXECUTOR_INPUTS");
    Task load = workflow.get("load");
    assertThat(inputs.get("load").asString())
        .isEqualTo(
            "s3://"
                + load.settings().s3BucketName()
                + "/batch-executor/"
                + load.owner()
                + "/"
                + load.id()
                + "/");
    assertThat(inputs.get("train").asString()).endsWith(workflow.get("train").id() + "/");
    JsonNode digests = environment(request, "BATCH_EXECUTOR_INPUT_SHA256");
    assertThat(digests.path("load").path("result.json").asString())
        .isEqualTo(Sha256.hex(resultOf("load")));
    assertThat(digests.path("train").path("result.json").asString())
        .isEqualTo(Sha256.hex(resultOf("train")));
    assertThat(score.status()).isEqualTo(TaskStatus.SUBMITTED);
  }

  @Test
  void aDependencyThatEndedBeforeDigestsWereKeptIsPassedOnWithoutOne() throws InterruptedException {
    succeeded("load");
    Task train = registering("train");
    train.submittedAsJob("job-train", "AWS Batch", NOW);
    train.succeed("s3://bucket/batch-executor/tasks/" + train.id() + "/result.json", 0, NOW);
    assertThat(tasks.update(train)).isTrue();

    submit.run(registering("score"), CONTEXT);

    SubmitJobRequest request = batch.submitted.get(0);
    assertThat(environment(request, "BATCH_EXECUTOR_INPUTS").has("train")).isTrue();
    assertThat(environment(request, "BATCH_EXECUTOR_INPUT_SHA256").has("train")).isFalse();
    assertThat(environment(request, "BATCH_EXECUTOR_INPUT_SHA256").has("load")).isTrue();
  }

  @Test
  void aJobBatchFailedForItsDependencyEndsCancelledNamingIt() throws InterruptedException {
    // a dependant submitted with dependsOn by an earlier version of the service
    submitted("load", "job-load");
    submitted("train", "job-train");
    Task load = tasks.find(workflow.get("load").id()).orElseThrow();
    load.fail("the job FAILED", null, 1, null, NOW);
    tasks.update(load);
    Task train = tasks.find(workflow.get("train").id()).orElseThrow();
    String trainJob = train.batchJobId();
    batch.setJob(
        software.amazon.awssdk.services.batch.model.JobDetail.builder()
            .jobId(trainJob)
            .jobName("batch-executor-" + train.id())
            .status(JobStatus.FAILED)
            .statusReason("Dependent Job failed")
            .build());
    PollBatchJobs poller =
        new PollBatchJobs(
            tasks,
            queue,
            queries,
            batch,
            new Throttling(1_000_000, 3, Duration.ofMillis(1), Duration.ofMillis(2), d -> {}),
            new ObjectStores(s3, List.of(s3)),
            json,
            PollBatchJobsTest.MAX_RESULT,
            Clock.fixed(NOW.plusSeconds(60), ZoneOffset.UTC),
            PollBatchJobsTest.LEASE,
            Duration.ofMinutes(15),
            new BackOff(Duration.ofSeconds(60), Duration.ofMinutes(30)));

    Task polled = tasks.find(train.id()).orElseThrow();
    poller.apply(polled, batch.describeJobs(b -> b.jobs(trainJob)).jobs().get(0), NOW);

    assertThat(polled.status()).isEqualTo(TaskStatus.CANCELLED);
    assertThat(polled.statusReason()).isEqualTo("cancelled: its dependency 'load' FAILED");
  }

  @Test
  void aJobThatReturnedASubWorkflowLeavesItsTaskWaitingForTheTasksAddedWithIt() {
    succeeded("load");
    submitted("train", "job-train");
    Task train = tasks.find(workflow.get("train").id()).orElseThrow();
    s3.put(
        train.settings().s3BucketName(),
        TaskObjects.key(train, "result.json"),
        """
        {"ok": true, "workflow": {"tasks": {"0": {"function": {"source": "def f():\\n    return 0\\n",
                                                               "name": "f"}}},
                                  "output": {"$task": "0"}}}"""
            .getBytes(StandardCharsets.UTF_8));
    batch.setJob(
        software.amazon.awssdk.services.batch.model.JobDetail.builder()
            .jobId("job-train")
            .jobName("batch-executor-" + train.id())
            .status(JobStatus.SUCCEEDED)
            .build());
    PollBatchJobs poller =
        new PollBatchJobs(
            tasks,
            queue,
            queries,
            batch,
            new Throttling(1_000_000, 3, Duration.ofMillis(1), Duration.ofMillis(2), d -> {}),
            new ObjectStores(s3, List.of(s3)),
            json,
            PollBatchJobsTest.MAX_RESULT,
            Clock.fixed(NOW.plusSeconds(60), ZoneOffset.UTC),
            PollBatchJobsTest.LEASE,
            Duration.ofMinutes(15),
            new BackOff(Duration.ofSeconds(60), Duration.ofMinutes(30)),
            subWorkflows);

    poller.apply(train, batch.describeJobs(b -> b.jobs("job-train")).jobs().get(0), NOW);
    assertThat(tasks.update(train)).isTrue();

    Task waiting = tasks.find(train.id()).orElseThrow();
    assertThat(waiting.status()).isEqualTo(TaskStatus.WAITING);
    assertThat(waiting.dependsOn().keySet()).containsExactly("load", "train/0");
    assertThat(
            jdbc.sql("SELECT status FROM task WHERE workflow_key = 'train/0' AND id = :id")
                .param("id", waiting.dependsOn().get("train/0"))
                .query(String.class)
                .single())
        .isEqualTo("QUEUED");
  }

  // ---- fixtures ------------------------------------------------------------------------------

  private Map<String, Task> store(Map<String, List<String>> dependencies) {
    UUID workflowId = UUID.randomUUID();
    Map<String, UUID> ids = new LinkedHashMap<>();
    for (String key : List.of("load", "train", "score")) {
      ids.put(key, UUID.randomUUID());
    }
    Map<String, Task> stored = new LinkedHashMap<>();
    for (String key : ids.keySet()) {
      Map<String, UUID> dependsOn = new LinkedHashMap<>();
      dependencies.getOrDefault(key, List.of()).forEach(d -> dependsOn.put(d, ids.get(d)));
      Task template = TaskBuilder.aTask().backend("awsbatch").build();
      // it refers to each dependency's result: its inputs
      List<Map<String, String>> references = new ArrayList<>();
      dependsOn.keySet().forEach(d -> references.add(Map.of("$task", d)));
      TaskSpec spec =
          new TaskSpec(
              template.spec().function(),
              json.valueToTree(references),
              template.spec().kwargs(),
              template.spec().image(),
              template.spec().sweep());
      stored.put(
          key,
          Task.acceptInWorkflow(
              ids.get(key),
              template.owner(),
              key,
              spec,
              template.settings(),
              "awsbatch",
              NOW,
              workflowId,
              key,
              dependsOn,
              false));
    }
    workflows.insert(
        new Workflow(workflowId, stored.get("load").owner(), "w", NOW, null),
        List.copyOf(stored.values()));
    return stored;
  }

  private Task registering(String key) {
    Task task = tasks.find(workflow.get(key).id()).orElseThrow();
    task.startBuilding(NOW);
    task.imageBuilt("batch-executor-task:" + key, true, NOW);
    task.startPushing(NOW);
    task.imagePushed("repo:" + key, true, NOW);
    task.startRegistering(NOW);
    task.registered("arn:aws:batch:us-east-1:123456789012:job-definition/d:1", NOW);
    return task;
  }

  private void submitted(String key, String jobId) {
    Task task = registering(key);
    task.submittedAsJob(jobId, "AWS Batch", NOW);
    assertThat(tasks.update(task)).isTrue();
  }

  private void succeeded(String key) {
    Task task = registering(key);
    task.submittedAsJob("job-" + key, "AWS Batch", NOW);
    task.resultsCollected(ResultDigests.of(Map.of("result.json", resultOf(key))));
    task.succeed(
        "s3://covalent-batch-job-resources/" + TaskObjects.key(task, "result.json"), 0, NOW);
    assertThat(tasks.update(task)).isTrue();
  }

  private static byte[] resultOf(String key) {
    return ("{\"ok\": true, \"value\": \"" + key + "\"}").getBytes(StandardCharsets.UTF_8);
  }

  private JsonNode environment(SubmitJobRequest request, String name) {
    return json.readTree(
        request.containerOverrides().environment().stream()
            .filter(e -> e.name().equals(name))
            .map(KeyValuePair::value)
            .findFirst()
            .orElseThrow());
  }
}
