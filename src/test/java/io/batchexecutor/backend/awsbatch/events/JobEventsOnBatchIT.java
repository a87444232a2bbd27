package io.batchexecutor.backend.awsbatch.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import io.batchexecutor.support.TestRegistry;
import io.batchexecutor.support.aws.FakeAwsEndpoint;
import io.batchexecutor.support.s3.S3MockServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * With a poll every 60 s and job state-change events coming through the tests' SQS queue, what a
 * task's job does is recorded from the events' wake-ups, each confirmed by one DescribeJobs and
 * with no poll in between; an event that lies (SUCCEEDED for a job still RUNNING) makes the poller
 * ask, and changes nothing.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.backend=awsbatch",
      "batch-executor.image.base-image=${BATCH_EXECUTOR_TEST_BASE_IMAGE:local/python:3}",
      "batch-executor.awsbatch.region=us-east-1",
      "batch-executor.awsbatch.s3-path-style=true",
      "batch-executor.awsbatch.s3-bucket-name=" + JobEventsOnBatchIT.BUCKET,
      "batch-executor.awsbatch.poll-freq=60",
      "batch-executor.awsbatch.time-limit=120",
      "batch-executor.awsbatch.batch-job-definition-name=event-jobs",
      "batch-executor.awsbatch.events.min-interval=0s",
      "batch-executor.awsbatch.events.receive-wait=1s"
    })
class JobEventsOnBatchIT {

  static final String BUCKET = "batch-executor-events";
  static FakeAwsEndpoint aws;

  @LocalServerPort int port;
  @Autowired Optional<JobEventsLoop> loop;

  @Autowired
  @Qualifier("awsBatchEvents")
  HealthIndicator health;

  @Autowired MeterRegistry meters;

  @DynamicPropertySource
  static void endpoint(DynamicPropertyRegistry registry) throws IOException {
    if (TestRegistry.ADDRESS == null) {
      registry.add("batch-executor.awsbatch.endpoint", () -> "http://127.0.0.1:9");
      return;
    }
    S3MockServer.get().ensureBucket(BUCKET);
    String repository = "batch-executor-events-" + UUID.randomUUID().toString().substring(0, 8);
    registry.add("batch-executor.awsbatch.ecr-repo-name", () -> repository);
    aws = FakeAwsEndpoint.forTests();
    registry.add("batch-executor.awsbatch.endpoint", () -> aws.endpoint().toString());
    registry.add("batch-executor.awsbatch.events.queue-url", aws::queueUrl);
  }

  @AfterAll
  static void close() {
    if (aws != null) {
      aws.close();
    }
  }

  @BeforeEach
  void engine() {
    DockerAvailable.assume(DockerAvailable.client());
    TestRegistry.require();
  }

  @Test
  void eventsWakeThePollerWhichBelievesOnlyDescribeJobs() {
    Api api = new Api(port);
    Api.Response accepted =
        api.post(
            "/api/v1/tasks",
            Tasks.function("import time\ndef slow():\n    time.sleep(8)\n    return 42\n", "slow")
                .build());
    assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
    String id = accepted.json().get("id").asString();
    String job =
        api.awaitTask(id, t -> t.path("batch_job_id").isString(), Duration.ofMinutes(3))
            .path("batch_job_id")
            .asString();
    await()
        .atMost(Duration.ofMinutes(1))
        .until(() -> aws.jobStatus(job).orElse("").equals("RUNNING"));
    // the first poll of the job is a minute after its submission
    assertThat(status(api, id)).isEqualTo("SUBMITTED");

    long before = describeJobs();
    aws.sendToQueue(FakeAwsEndpoint.batchJobStateChange(job, "RUNNING"));
    await().atMost(Duration.ofSeconds(10)).until(() -> status(api, id).equals("RUNNING"));
    assertThat(describeJobs()).as("one DescribeJobs for the event").isEqualTo(before + 1);

    long beforeForged = describeJobs();
    aws.sendToQueue(FakeAwsEndpoint.batchJobStateChange(job, "SUCCEEDED"));
    await().atMost(Duration.ofSeconds(10)).until(() -> describeJobs() == beforeForged + 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> aws.queueMessagesLeft() == 0);
    assertThat(aws.jobStatus(job)).as("the job was still running when asked").contains("RUNNING");
    assertThat(status(api, id)).as("a forged SUCCEEDED changes nothing").isEqualTo("RUNNING");

    await().atMost(Duration.ofMinutes(1)).until(() -> aws.stoppedAt(job).isPresent());
    long beforeEnd = describeJobs();
    aws.sendToQueue(FakeAwsEndpoint.batchJobStateChange(job, "SUCCEEDED"));
    JsonNode task = api.awaitEnd(id, Duration.ofSeconds(20));

    assertThat(task.path("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    assertThat(api.get("/api/v1/tasks/" + id + "/result").json().asInt()).isEqualTo(42);
    assertThat(describeJobs())
        .as("the end recorded from the event's one DescribeJobs, no poll in between")
        .isEqualTo(beforeEnd + 1);
    assertThat(loop).isPresent();
    Map<String, Object> details = health.health().getDetails();
    assertThat(details).containsEntry("events", "on");
    assertThat((Long) details.get("used")).isGreaterThanOrEqualTo(3);
    assertThat(meters.get(JobEventsConfiguration.USED).functionCounter().count())
        .isGreaterThanOrEqualTo(3);
    assertThat(meters.get(JobEventsConfiguration.RECEIVED).functionCounter().count())
        .isGreaterThanOrEqualTo(3);
  }

  private static String status(Api api, String id) {
    return api.get("/api/v1/tasks/" + id).json().path("status").asString();
  }

  private static long describeJobs() {
    return aws.calls().stream().filter("DescribeJobs"::equals).count();
  }
}
