package io.batchexecutor.backend.awsbatch;

import static io.batchexecutor.workflow.Workflows.ref;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.ProblemAssert;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import io.batchexecutor.support.aws.TestAwsEndpoint;
import io.batchexecutor.support.s3.S3MockServer;
import io.batchexecutor.workflow.Workflows;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.JsonNode;

/**
 * Each client's objects on AWS Batch, against the tests' loopback AWS endpoint (real registry,
 * S3Mock, jobs as containers on the local engine): their keys carry the client, and an object
 * another writer changed in S3 after it was written is refused by the runner that would use it —
 * the staged payload, and a workflow input between its producer and its consumer — failing the task
 * at once (no retry), naming what it refused.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.backend=awsbatch",
      "batch-executor.image.base-image=${BATCH_EXECUTOR_TEST_BASE_IMAGE:local/python:3}",
      "batch-executor.awsbatch.region=us-east-1",
      "batch-executor.awsbatch.s3-path-style=true",
      "batch-executor.awsbatch.s3-bucket-name=" + StoredObjectsOnBatchIT.BUCKET,
      "batch-executor.awsbatch.batch-queue=objects-queue",
      "batch-executor.awsbatch.poll-freq=1",
      "batch-executor.awsbatch.retry-attempts=3",
      "batch-executor.awsbatch.time-limit=120"
    })
class StoredObjectsOnBatchIT {

  static final String BUCKET = "batch-executor-objects";
  @RegisterExtension static final TestAwsEndpoint AWS = TestAwsEndpoint.withBucket(BUCKET);

  @LocalServerPort int port;

  @DynamicPropertySource
  static void endpoint(DynamicPropertyRegistry registry) {
    AWS.register(registry);
  }

  @Test
  void aPayloadChangedInS3AfterItWasWrittenFailsTheTaskNamingItWithoutARetry() {
    Api api = new Api(port);
    CountDownLatch gate = AWS.fake().gateNextJob();
    String id;
    try {
      Api.Response accepted = api.post("/api/v1/tasks", Tasks.add().build());
      assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
      id = accepted.json().get("id").asString();
      // submitted, and held in SUBMITTED by the endpoint: its payload is in S3, not yet read
      api.awaitTask(id, t -> t.path("batch_job_id").isString(), Duration.ofMinutes(3));

      String key = "batch-executor/tester/" + id + "/payload.json";
      assertThat(AWS.fake().objectsWritten())
          .as("the payload under the client's own prefix")
          .contains("/" + BUCKET + "/" + key);
      try (S3Client s3 = s3()) {
        String payload = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asUtf8String();
        s3.putObject(
            b -> b.bucket(BUCKET).key(key),
            RequestBody.fromString(payload.replace("return x + y", "return 666")));
      }
    } finally {
      gate.countDown();
    }

    JsonNode task = api.awaitEnd(id, Duration.ofMinutes(3));

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("FAILED");
    assertThat(task.get("status_reason").asString())
        .contains("payload.json")
        .contains("s3://" + BUCKET + "/batch-executor/tester/" + id + "/payload.json")
        .contains("does not match the SHA-256");
    assertThat(task.path("error").path("type").asString()).isEqualTo("PayloadAltered");
    assertThat(AWS.fake().containerStarts("batch-executor-" + id))
        .as("refused once, not retried")
        .isEqualTo(1);
    assertThat(task.path("exit_code").asInt()).isEqualTo(65);
  }

  @Test
  void aResultChangedBetweenItsProducerAndItsConsumerFailsTheConsumerNamingTheInput() {
    Api api = new Api(port);
    Api.Response accepted =
        api.post(
            "/api/v1/workflows",
            Workflows.named("altered-input")
                .task("data", "def data():\n    return [1, 2, 3]\n", "data", List.of())
                .task(
                    "slow",
                    "import time\ndef slow():\n    time.sleep(6)\n    return 1\n",
                    "slow",
                    List.of())
                .task(
                    "total",
                    "def total(data, slow):\n    return sum(data) * slow\n",
                    "total",
                    List.of(ref("data"), ref("slow")))
                .build());
    assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
    JsonNode tasks = accepted.json().get("tasks");
    String data = tasks.get("data").get("id").asString();
    String total = tasks.get("total").get("id").asString();

    // 'total' is submitted once 'slow' succeeded too: 'data''s result is changed before that
    JsonNode produced = api.awaitEnd(data, Duration.ofMinutes(3));
    assertThat(produced.get("status").asString()).as(produced.toString()).isEqualTo("SUCCEEDED");
    String key = "batch-executor/tester/" + data + "/result.json";
    assertThat(produced.get("result").asString()).isEqualTo("s3://" + BUCKET + "/" + key);
    assertThat(produced.path("result_sha256").path("result.json").asString()).hasSize(64);
    try (S3Client s3 = s3()) {
      s3.putObject(
          b -> b.bucket(BUCKET).key(key),
          RequestBody.fromString("{\"ok\": true, \"value\": [100, 200, 300]}"));
    }

    JsonNode consumer = api.awaitEnd(total, Duration.ofMinutes(3));

    assertThat(consumer.get("status").asString()).as(consumer.toString()).isEqualTo("FAILED");
    assertThat(consumer.get("status_reason").asString())
        .contains("the input 'data'")
        .contains("result.json")
        .contains("does not match the SHA-256");
    assertThat(consumer.path("error").path("type").asString()).isEqualTo("InputAltered");
    assertThat(api.get("/api/v1/tasks/" + total + "/logs").text()).doesNotContain("600");
    ProblemAssert.assertProblem(
        api.get("/api/v1/tasks/" + data + "/result"), 409, "result-altered");
  }

  @Test
  void stdoutAndStderrComeApartFromTheRunnersFilesInS3() {
    Api api = new Api(port);
    Api.Response accepted =
        api.post(
            "/api/v1/tasks",
            Tasks.function(
                    "import sys\n"
                        + "def task():\n"
                        + "    print('to stdout')\n"
                        + "    print('to stderr', file=sys.stderr)\n"
                        + "    return 1\n",
                    "task")
                .build());
    assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
    String id = accepted.json().get("id").asString();

    JsonNode task = api.awaitEnd(id, Duration.ofMinutes(3));

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    assertThat(AWS.fake().objectsWritten())
        .as("written by the runner beside its result, under the client's prefix")
        .contains("/" + BUCKET + "/batch-executor/tester/" + id + "/stdout.txt")
        .contains("/" + BUCKET + "/batch-executor/tester/" + id + "/stderr.txt");
    assertThat(api.get("/api/v1/tasks/" + id + "/logs?stream=stdout").text())
        .isEqualTo("to stdout\n");
    assertThat(api.get("/api/v1/tasks/" + id + "/logs?stream=stderr").text())
        .isEqualTo("to stderr\n");
  }

  private static S3Client s3() {
    return S3Client.builder()
        .endpointOverride(S3MockServer.get().endpoint())
        .forcePathStyle(true)
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .build();
  }
}
