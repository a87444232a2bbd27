package io.batchexecutor.backend.awsbatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.backend.BackOff;
import io.batchexecutor.config.ResultSizeLimit;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.TaskBuilder;
import io.batchexecutor.task.EventKind;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskEvent;
import io.batchexecutor.task.TaskObjects;
import io.batchexecutor.task.TaskQueries;
import io.batchexecutor.task.TaskRepository;
import io.batchexecutor.task.TaskStatus;
import io.batchexecutor.task.WorkQueue;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.batch.model.AttemptContainerDetail;
import software.amazon.awssdk.services.batch.model.AttemptDetail;
import software.amazon.awssdk.services.batch.model.ContainerDetail;
import software.amazon.awssdk.services.batch.model.DescribeJobsRequest;
import software.amazon.awssdk.services.batch.model.DescribeJobsResponse;
import software.amazon.awssdk.services.batch.model.JobDetail;
import software.amazon.awssdk.services.batch.model.JobStatus;
import tools.jackson.databind.json.JsonMapper;

/**
 * The batched poller against the real PostgreSQL and an in-memory Batch: one DescribeJobs per 100
 * jobs, and every Batch status mirrored truthfully.
 */
@ServiceTest
class PollBatchJobsTest {

  /** A bound small enough to pass a test's result and stop a larger one. */
  static final ResultSizeLimit MAX_RESULT =
      new ResultSizeLimit(1024, "batch-executor.storage.max-result-size");

  /** The instance's lease owner, as the pipeline's claims have it. */
  static final String INSTANCE = "test-host-1-0000abcd";

  /** The poller's: its own, under the instance's. */
  static final PollBatchJobs.Lease LEASE =
      new PollBatchJobs.Lease(INSTANCE + "/batch-poller", Duration.ofSeconds(60));

  @Autowired TaskRepository tasks;
  @Autowired TaskQueries queries;
  @Autowired WorkQueue queue;
  @Autowired JdbcClient jdbc;

  final FakeBatch batch = new FakeBatch();
  final InMemoryObjectStore s3 = new InMemoryObjectStore();
  final Instant now = Instant.now();
  PollBatchJobs poller;

  @BeforeEach
  void setUp() {
    jdbc.sql("DELETE FROM task").update();
    poller = pollerOf(batch);
  }

  private PollBatchJobs pollerOf(BatchClient client) {
    return new PollBatchJobs(
        tasks,
        queue,
        queries,
        client,
        new Throttling(1_000_000, 3, Duration.ofMillis(1), Duration.ofMillis(2), d -> {}),
        new ObjectStores(s3, List.of(s3)),
        JsonMapper.builder().build(),
        MAX_RESULT,
        Clock.fixed(now, ZoneOffset.UTC),
        LEASE,
        Duration.ofMinutes(15),
        new BackOff(Duration.ofSeconds(60), Duration.ofMinutes(30)));
  }

  @Test
  void thePollHoldsItsTasksUnderTheInstancesNameAndAStopMidPollGivesThemBackUnwritten()
      throws Exception {
    Task task = submitted("job-held");
    batch.setJob(job("job-held", JobStatus.SUCCEEDED).build());
    List<String> ownersWhileAsking = new java.util.ArrayList<>();
    FakeBatch stoppedMidPoll =
        new FakeBatch() {
          @Override
          public DescribeJobsResponse describeJobs(DescribeJobsRequest request) {
            ownersWhileAsking.addAll(
                jdbc.sql("SELECT lease_owner FROM task").query(String.class).list());
            queue.releaseAll(INSTANCE, now); // what the instance's graceful stop does
            return batch.describeJobs(request);
          }
        };

    assertThat(pollerOf(stoppedMidPoll).pollOnce()).isEqualTo(1);

    assertThat(ownersWhileAsking).containsExactly(LEASE.owner());
    Task after = tasks.find(task.id()).orElseThrow();
    assertThat(after.status())
        .as("a poll whose lease was given back writes nothing")
        .isEqualTo(TaskStatus.SUBMITTED);
    assertThat(
            jdbc.sql("SELECT lease_owner IS NULL AND next_run_at = :now FROM task WHERE id = :id")
                .param("now", java.sql.Timestamp.from(now))
                .param("id", task.id())
                .query(Boolean.class)
                .single())
        .as("unleased and due at once, for whichever instance polls next")
        .isTrue();
  }

  @Test
  void twoHundredFiftyJobsTakeThreeDescribeJobsCalls() {
    for (int i = 0; i < 250; i++) {
      Task task = submitted("job-" + i);
      batch.setJob(job("job-" + i, JobStatus.RUNNING).build());
    }

    poller.run();

    assertThat(batch.describes).extracting(d -> d.jobs().size()).containsExactly(100, 100, 50);
    assertThat(
            jdbc.sql("SELECT count(*) FROM task WHERE status = 'RUNNING'")
                .query(Long.class)
                .single())
        .isEqualTo(250);
    assertThat(
            jdbc.sql("SELECT count(*) FROM task WHERE lease_owner IS NOT NULL")
                .query(Long.class)
                .single())
        .as("every task is handed back until its next poll")
        .isZero();
  }

  @Test
  void anUnansweredDescribeJobsLeavesTheTaskRunningAndSaysWhy() {
    Task task = submitted("job-silent");
    batch.describeFailure =
        SdkClientException.create(
            "Unable to execute HTTP request: Connect to 127.0.0.1:9 failed",
            new java.net.ConnectException("Connection refused"));

    poller.run();

    Task waiting = tasks.find(task.id()).orElseThrow();
    assertThat(waiting.status()).isEqualTo(TaskStatus.SUBMITTED);
    assertThat(waiting.unreachableTries()).isEqualTo(1);
    assertThat(waiting.statusReason()).startsWith("waiting: no AWS endpoint answers");
    assertThat(queries.events(task.id()))
        .filteredOn(e -> e.kind().equals(EventKind.UNREACHABLE))
        .singleElement()
        .satisfies(e -> assertThat(e.reason()).contains("Connect to 127.0.0.1:9 failed"));

    batch.describeFailure = null;
    batch.setJob(job("job-silent", JobStatus.RUNNING).build());
    jdbc.sql("UPDATE task SET next_run_at = :t WHERE id = :id")
        .param("t", java.sql.Timestamp.from(now.minusSeconds(1)))
        .param("id", task.id())
        .update();
    poller.run();

    Task answered = tasks.find(task.id()).orElseThrow();
    assertThat(answered.status()).isEqualTo(TaskStatus.RUNNING);
    assertThat(answered.unreachableTries()).isZero();
    assertThat(queries.events(task.id())).extracting(TaskEvent::kind).contains(EventKind.REACHABLE);
  }

  @Test
  void aSucceededArrayJobGathersEachCombinationsOutcomeInOrder() {
    Task task = sweepSubmitted("job-sweep", List.of(1, 10));
    String prefix = TaskObjects.key(task, "sweep/");
    s3.put(
        "bucket",
        prefix + "0/result.json",
        "{\"ok\": true, \"value\": 0.5}".getBytes(StandardCharsets.UTF_8));
    s3.put(
        "bucket",
        prefix + "1/result.json",
        "{\"ok\": false, \"error\": {\"type\": \"ValueError\", \"message\": \"diverged\"}}"
            .getBytes(StandardCharsets.UTF_8));
    batch.setJob(job("job-sweep", JobStatus.SUCCEEDED).build());

    poller.run();

    Task done = tasks.find(task.id()).orElseThrow();
    assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
    assertThat(done.resultPointer())
        .isEqualTo("s3://bucket/" + TaskObjects.key(task, "result.json"));
    tools.jackson.databind.JsonNode gathered =
        JsonMapper.builder()
            .build()
            .readTree(
                s3.get(java.net.URI.create("s3://bucket/" + TaskObjects.key(task, "result.json")))
                    .orElseThrow());
    assertThat(gathered.get("value").toString())
        .isEqualTo(
            "[{\"kwargs\":{\"C\":1},\"result\":0.5},"
                + "{\"kwargs\":{\"C\":10},\"error\":{\"type\":\"ValueError\",\"message\":\"diverged\"}}]");
  }

  @Test
  void aResultOverMaxResultSizeFailsTheTaskNamingTheFileAndTheSetting() {
    Task task = submitted("job-big");
    byte[] big =
        ("{\"ok\": true, \"value\": \"" + "y".repeat(2000) + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    s3.put("bucket", TaskObjects.key(task, "result.json"), big);
    batch.setJob(
        job("job-big", JobStatus.SUCCEEDED)
            .container(ContainerDetail.builder().exitCode(0).build())
            .build());

    poller.run();

    Task done = tasks.find(task.id()).orElseThrow();
    assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(done.statusReason())
        .isEqualTo(
            "the task left result.json of "
                + big.length
                + " bytes, more than batch-executor.storage.max-result-size allows (1024 bytes)");
    assertThat(done.error().type()).isEqualTo("ResultTooLarge");
    assertThat(done.resultPointer()).isNull();
    assertThat(done.resultDigests()).isNullOrEmpty();
  }

  @Test
  void aFailedJobsErrorOverMaxResultSizeFailsTheTaskNamingTheSetting() {
    Task task = submitted("job-big-error");
    s3.put(
        "bucket",
        TaskObjects.key(task, "result.json"),
        ("{\"ok\": false, \"error\": {\"type\": \"E\", \"message\": \"" + "m".repeat(2000) + "\"}}")
            .getBytes(StandardCharsets.UTF_8));
    batch.setJob(
        job("job-big-error", JobStatus.FAILED)
            .container(ContainerDetail.builder().exitCode(65).build())
            .build());

    poller.run();

    Task done = tasks.find(task.id()).orElseThrow();
    assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(done.error().type()).isEqualTo("ResultTooLarge");
    assertThat(done.statusReason()).contains("result.json").contains("max-result-size");
  }

  @Test
  void aSweepRunsPickleOverMaxResultSizeFailsTheSweepNamingIt() {
    Task task = sweepSubmitted("job-sweep-big", List.of(1, 10));
    String prefix = TaskObjects.key(task, "sweep/");
    for (int i = 0; i < 2; i++) {
      s3.put(
          "bucket",
          prefix + i + "/result.json",
          "{\"ok\": true, \"pickled\": true, \"type\": \"x.Y\", \"repr\": \"Y()\"}"
              .getBytes(StandardCharsets.UTF_8));
      s3.put("bucket", prefix + i + "/result.pickle", new byte[i == 0 ? 1024 : 1025]);
    }
    batch.setJob(job("job-sweep-big", JobStatus.SUCCEEDED).build());

    poller.run();

    Task done = tasks.find(task.id()).orElseThrow();
    assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(done.statusReason())
        .isEqualTo(
            "the task left sweep/1/result.pickle of 1025 bytes, more than"
                + " batch-executor.storage.max-result-size allows (1024 bytes)");
  }

  @Test
  void aSweepWhoseRunsResultsTogetherPassMaxResultSizeFailsUngathered() {
    Task task = sweepSubmitted("job-sweep-many", List.of(1, 10));
    String prefix = TaskObjects.key(task, "sweep/");
    // each run's result.json is under the bound (1024 bytes), the two together are over it
    String value = "x".repeat(600);
    for (int i = 0; i < 2; i++) {
      s3.put(
          "bucket",
          prefix + i + "/result.json",
          ("{\"ok\": true, \"value\": \"" + value + "\"}").getBytes(StandardCharsets.UTF_8));
    }
    batch.setJob(job("job-sweep-many", JobStatus.SUCCEEDED).build());

    poller.run();

    Task done = tasks.find(task.id()).orElseThrow();
    assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(done.error().type()).isEqualTo("ResultTooLarge");
    assertThat(done.statusReason())
        .startsWith("the task left result.json of ")
        .endsWith("more than batch-executor.storage.max-result-size allows (1024 bytes)");
    assertThat(s3.get(java.net.URI.create("s3://bucket/" + TaskObjects.key(task, "result.json"))))
        .isEmpty();
  }

  @Test
  void aPolledTaskIsNotDueAgainBeforePollFreq() {
    submitted("job-a");
    batch.setJob(job("job-a", JobStatus.RUNNABLE).build());

    poller.run();
    poller.run();

    assertThat(batch.describes).hasSize(1);
  }

  @Test
  void aSucceededJobRecordsItsResultPointerAttemptsAndLogStream() {
    Task task = submitted("job-ok");
    s3.put(
        "bucket",
        TaskObjects.key(task, "result.json"),
        "{\"ok\": true, \"value\": 3}".getBytes(StandardCharsets.UTF_8));
    batch.setJob(
        job("job-ok", JobStatus.SUCCEEDED)
            .container(
                ContainerDetail.builder()
                    .exitCode(0)
                    .logStreamName("batch-executor/default/abc")
                    .build())
            .attempts(
                AttemptDetail.builder()
                    .container(
                        AttemptContainerDetail.builder().exitCode(137).logStreamName("s1").build())
                    .statusReason("Host EC2 (instance i-1) terminated.")
                    .build(),
                AttemptDetail.builder()
                    .container(
                        AttemptContainerDetail.builder().exitCode(0).logStreamName("s2").build())
                    .build())
            .build());

    poller.run();

    Task done = tasks.find(task.id()).orElseThrow();
    assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
    assertThat(done.resultPointer())
        .isEqualTo("s3://bucket/" + TaskObjects.key(task, "result.json"));
    assertThat(done.resultDigests())
        .as("the digest of result.json as collected")
        .containsExactly(
            java.util.Map.entry(
                "result.json",
                io.batchexecutor.support.Sha256.hex(
                    "{\"ok\": true, \"value\": 3}".getBytes(StandardCharsets.UTF_8))));
    assertThat(done.attempts()).isEqualTo(2);
    assertThat(done.exitCode()).isZero();
    assertThat(done.logStreamName()).isEqualTo("batch-executor/default/abc");
    List<TaskEvent> attempts =
        queries.events(task.id()).stream().filter(e -> e.kind().equals(EventKind.ATTEMPT)).toList();
    assertThat(attempts).hasSize(2);
    assertThat(attempts.get(0).details())
        .containsEntry("exit_code", 137)
        .containsEntry("status_reason", "Host EC2 (instance i-1) terminated.");
  }

  @Test
  void aSucceededJobWithoutAResultIsReportedAsSuch() {
    Task task = submitted("job-empty");
    batch.setJob(
        job("job-empty", JobStatus.SUCCEEDED)
            .container(ContainerDetail.builder().exitCode(0).build())
            .build());

    poller.run();

    Task done = tasks.find(task.id()).orElseThrow();
    assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(done.statusReason()).startsWith("the job SUCCEEDED but wrote no result");
    assertThat(done.error().type()).isEqualTo("ResultMissing");
  }

  @Test
  void aFailedJobWhoseFunctionRaisedCarriesThePythonError() {
    Task task = submitted("job-raised");
    s3.put(
        "bucket",
        TaskObjects.key(task, "result.json"),
        "{\"ok\": false, \"error\": {\"type\": \"KeyError\", \"message\": \"'x'\", \"traceback\": \"Traceback...\"}}"
            .getBytes(StandardCharsets.UTF_8));
    batch.setJob(
        job("job-raised", JobStatus.FAILED)
            .container(ContainerDetail.builder().exitCode(65).build())
            .build());

    poller.run();

    Task done = tasks.find(task.id()).orElseThrow();
    assertThat(done.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(done.error().type()).isEqualTo("KeyError");
    assertThat(done.exitCode()).isEqualTo(65);
  }

  @Test
  void aTimedOutJobSaysItsTimeLimit() {
    Task task = submitted("job-slow");
    batch.setJob(
        job("job-slow", JobStatus.FAILED)
            .statusReason("Job attempt duration exceeded timeout")
            .build());

    poller.run();

    Task done = tasks.find(task.id()).orElseThrow();
    assertThat(done.statusReason()).startsWith("time limit of 300 s exceeded");
    assertThat(done.error().type()).isEqualTo("TimeLimitExceeded");
  }

  @Test
  void aRunningArrayJobSaysHowFarTheSweepGot() {
    Task task = sweepSubmitted("job-sweeping", List.of(1, 2, 3, 4, 5));
    batch.setJob(
        job("job-sweeping", JobStatus.RUNNING)
            .arrayProperties(
                a ->
                    a.size(5)
                        .statusSummary(
                            java.util.Map.of("SUCCEEDED", 2, "RUNNING", 2, "RUNNABLE", 1)))
            .build());

    poller.run();

    Task sweeping = tasks.find(task.id()).orElseThrow();
    assertThat(sweeping.status()).isEqualTo(TaskStatus.RUNNING);
    assertThat(sweeping.statusReason())
        .isEqualTo("running 5 combinations: 2 succeeded, 2 running, 1 runnable");
  }

  @Test
  void aSweepLongRunnableGetsTheWarningRatherThanTheCounts() {
    Task task = sweepSubmitted("job-sweep-stuck", List.of(1, 2));
    batch.setJob(
        job("job-sweep-stuck", JobStatus.RUNNABLE)
            .createdAt(now.minus(Duration.ofMinutes(40)).toEpochMilli())
            .arrayProperties(a -> a.size(2).statusSummary(java.util.Map.of("RUNNABLE", 2)))
            .build());

    poller.run();

    assertThat(tasks.find(task.id()).orElseThrow().statusReason())
        .startsWith("RUNNABLE for 40 min");
  }

  @Test
  void aJobLongRunnableGetsAReasonThatSaysSo() {
    Task task = submitted("job-stuck");
    batch.setJob(
        job("job-stuck", JobStatus.RUNNABLE)
            .createdAt(now.minus(Duration.ofMinutes(40)).toEpochMilli())
            .build());

    poller.run();

    Task stuck = tasks.find(task.id()).orElseThrow();
    assertThat(stuck.status()).isEqualTo(TaskStatus.RUNNABLE);
    assertThat(stuck.statusReason()).startsWith("RUNNABLE for 40 min").contains("queue");
  }

  @Test
  void aRetriedJobGoesBackToRunnable() {
    Task task = submitted("job-retry");
    batch.setJob(job("job-retry", JobStatus.RUNNING).build());
    poller.run();
    jdbc.sql("UPDATE task SET next_run_at = now() - interval '1 second'").update();
    batch.setJob(
        job("job-retry", JobStatus.RUNNABLE)
            .attempts(
                AttemptDetail.builder().statusReason("Host EC2 (instance i-2) terminated.").build())
            .build());

    poller.run();

    Task again = tasks.find(task.id()).orElseThrow();
    assertThat(again.status()).isEqualTo(TaskStatus.RUNNABLE);
    assertThat(again.attempts()).isEqualTo(1);
    List<TaskStatus> path = new ArrayList<>();
    queries.events(task.id()).stream()
        .filter(e -> e.kind().equals(EventKind.STATUS))
        .forEach(e -> path.add(e.toStatus()));
    assertThat(path).endsWith(TaskStatus.SUBMITTED, TaskStatus.RUNNING, TaskStatus.RUNNABLE);
  }

  private JobDetail.Builder job(String id, JobStatus status) {
    return JobDetail.builder().jobId(id).jobName("n").status(status).createdAt(now.toEpochMilli());
  }

  /** A task stored as submitted to Batch with {@code jobId}, due now. */
  private Task submitted(String jobId) {
    return submitted(
        jobId, TaskBuilder.aTask().backend("awsbatch").acceptedAt(now.minusSeconds(60)).build());
  }

  /** A sweep over {@code C} stored as submitted to Batch as array job {@code jobId}, due now. */
  private Task sweepSubmitted(String jobId, List<Integer> values) {
    return submitted(
        jobId,
        TaskBuilder.aTask()
            .backend("awsbatch")
            .sweep(java.util.Map.of("C", values))
            .acceptedAt(now.minusSeconds(60))
            .build());
  }

  private Task submitted(String jobId, Task stored) {
    tasks.insert(stored, null, null);
    Task claimed = tasks.find(stored.id()).orElseThrow();
    claimed.startBuilding(now);
    claimed.imageBuilt("batch-executor-task:x", true, now);
    claimed.startPushing(now);
    claimed.imagePushed("repo:x", true, now);
    claimed.startRegistering(now);
    claimed.registered("arn:aws:batch:us-east-1:123456789012:job-definition/defs:1", now);
    claimed.submittedAsJob(jobId, "AWS Batch", now);
    assertThat(tasks.update(claimed)).isTrue();
    jdbc.sql("UPDATE task SET next_run_at = :t WHERE id = :id")
        .param("t", java.sql.Timestamp.from(now.minusSeconds(1)))
        .param("id", stored.id())
        .update();
    return tasks.find(stored.id()).orElseThrow();
  }
}
