package io.batchexecutor.backend.awsbatch;

import static io.batchexecutor.workflow.Workflows.ref;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import io.batchexecutor.support.aws.TestAwsEndpoint;
import io.batchexecutor.workflow.Workflows;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Workflows and sweeps on the AWS Batch backend, against the tests' loopback AWS endpoint (real
 * registry, S3Mock, jobs as containers on the local engine): dependants wait for their dependencies
 * and are submitted with the digests of their results; each runner reads its inputs from S3 — among
 * them the pickle of a class that only the producing (baked) task defines; a sweep is one array job
 * whose children each compute their combination; a task's uploaded file is placed in its container
 * and the file it keeps is served.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.backend=awsbatch",
      "batch-executor.image.base-image=${BATCH_EXECUTOR_TEST_BASE_IMAGE:local/python:3}",
      "batch-executor.awsbatch.region=us-east-1",
      "batch-executor.awsbatch.s3-path-style=true",
      "batch-executor.awsbatch.s3-bucket-name=" + FakeBatchFlowIT.BUCKET,
      "batch-executor.awsbatch.batch-queue=workflow-queue",
      "batch-executor.awsbatch.poll-freq=1",
      "batch-executor.awsbatch.time-limit=120"
    })
class FakeBatchFlowIT {

  static final String BUCKET = "batch-executor-workflows";
  @RegisterExtension static final TestAwsEndpoint AWS = TestAwsEndpoint.withBucket(BUCKET);

  @LocalServerPort int port;

  @DynamicPropertySource
  static void endpoint(DynamicPropertyRegistry registry) {
    AWS.register(registry);
  }

  @Test
  void loadTrainScoreRunsOnBatchWithInputsAndTheirDigestsFromS3() {
    Api api = new Api(port);
    Api.Response accepted =
        api.post(
            "/api/v1/workflows",
            Workflows.named("on-batch")
                .task(
                    "load",
                    "import time\ndef load():\n    time.sleep(8)\n    return [2, 4, 6]\n",
                    "load",
                    List.of())
                .task(
                    "train",
                    Tasks.function(
                            "from fractions import Fraction\n"
                                + "class Mean:\n"
                                + "    def __init__(self, value):\n"
                                + "        self.value = value\n"
                                + "def train(data):\n"
                                + "    return Mean(Fraction(sum(data), len(data)))\n",
                            "train")
                        .set("args", List.of(ref("load")))
                        .set("image", Map.of("payload", "baked"))
                        .build())
                .task(
                    "score",
                    "def score(mean, data):\n    return [float(x / mean.value) for x in data]\n",
                    "score",
                    List.of(ref("train"), ref("load")))
                .build());
    assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
    String id = accepted.json().get("id").asString();
    JsonNode tasks = accepted.json().get("tasks");
    assertThat(tasks.get("score").get("status").asString())
        .as("queued once its inputs and their digests are there")
        .isEqualTo("WAITING");

    JsonNode workflow =
        api.awaitWorkflow(
            id, w -> !"RUNNING".equals(w.get("status").asString()), Duration.ofSeconds(180));

    assertThat(workflow.get("status").asString())
        .as(String.valueOf(workflow))
        .isEqualTo("SUCCEEDED");
    assertThat(workflow.get("outputs").get("score").toString()).isEqualTo("[0.5,1.0,1.5]");
    JsonNode score = api.get("/api/v1/tasks/" + tasks.get("score").get("id").asString()).json();
    JsonNode submitted =
        AWS.fake().submitted().stream()
            .filter(r -> r.path("jobName").asString().endsWith(score.get("id").asString()))
            .findFirst()
            .orElseThrow();
    assertThat(submitted.path("dependsOn").isEmpty())
        .as("submitted once its inputs were collected: nothing for Batch to hold")
        .isTrue();
    assertThat(submitted.path("containerOverrides").toString()).contains("BATCH_EXECUTOR_INPUTS");
    JsonNode digests = null;
    for (JsonNode e : submitted.path("containerOverrides").path("environment")) {
      if (e.path("name").asString().equals("BATCH_EXECUTOR_INPUT_SHA256")) {
        digests = new tools.jackson.databind.ObjectMapper().readTree(e.path("value").asString());
      }
    }
    assertThat(digests).as("the digests of its inputs travel with SubmitJob").isNotNull();
    for (String key : List.of("load", "train")) {
      JsonNode upstream = api.get("/api/v1/tasks/" + tasks.get(key).get("id").asString()).json();
      assertThat(digests.get(key)).as(key).isEqualTo(upstream.get("result_sha256"));
    }
    assertThat(digests.path("train").has("result.pickle")).as("the pickle's too").isTrue();
  }

  @Test
  void aTaskWithAnUploadAndAKeptFileRunsOnBatch() {
    Api api = new Api(port);
    byte[] data = ("rows for batch " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    Api.Response uploaded = api.upload(data);
    assertThat(uploaded.status()).as(uploaded.text()).isEqualTo(201);
    String upload = uploaded.json().get("id").asString();

    Api.Response accepted =
        api.post(
            "/api/v1/tasks",
            Tasks.function(
                    "def task():\n"
                        + "    text = open('/tmp/in/rows.txt').read()\n"
                        + "    open('/tmp/out.txt', 'w').write(text.upper())\n"
                        + "    return len(text)\n",
                    "task")
                .set(
                    "files",
                    List.of(
                        Map.of("path", "/tmp/in/rows.txt", "upload", upload),
                        Map.of("path", "/tmp/out.txt", "order", "after")))
                .build());
    assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
    String id = accepted.json().get("id").asString();

    JsonNode task = api.awaitEnd(id, Duration.ofSeconds(180));

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    assertThat(api.get("/api/v1/tasks/" + id + "/result").json().asInt()).isEqualTo(data.length);
    assertThat(api.bytes("/api/v1/tasks/" + id + "/files/1", "application/octet-stream"))
        .as("the file the task kept, written by the runner to S3 beside its result")
        .isEqualTo(
            new String(data, StandardCharsets.UTF_8)
                .toUpperCase(Locale.ROOT)
                .getBytes(StandardCharsets.UTF_8));
    assertThat(AWS.fake().submissions("batch-executor-" + id)).isEqualTo(1);
  }

  @Test
  void aSweepRunsAsOneArrayJobAndGathersEachChildsOutcome() throws Exception {
    Api api = new Api(port);
    Api.Response accepted =
        api.post(
            "/api/v1/tasks",
            Tasks.function(
                    "def f(C, gamma):\n"
                        + "    print('child computes', C, gamma)\n"
                        + "    if C == 10:\n"
                        + "        raise ValueError('too big')\n"
                        + "    if gamma == 4:\n"
                        + "        return complex(C, gamma)\n"
                        + "    return C * gamma\n",
                    "f")
                // the names in the order given (C, then gamma), the last varying fastest
                .set(
                    "sweep",
                    new java.util.TreeMap<>(Map.of("C", List.of(1, 10), "gamma", List.of(2, 3, 4))))
                .build());
    assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
    String id = accepted.json().get("id").asString();

    JsonNode task =
        api.awaitTask(
            id,
            t ->
                java.util.Set.of("SUCCEEDED", "FAILED", "CANCELLED")
                    .contains(t.get("status").asString()),
            Duration.ofSeconds(180));

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    JsonNode outcomes = api.get("/api/v1/tasks/" + id + "/result").json();
    assertThat(outcomes.get(0).get("result").asInt()).isEqualTo(2);
    assertThat(outcomes.get(1).get("result").asInt()).isEqualTo(3);
    assertThat(outcomes.get(2).get("type").asString()).endsWith("complex");
    assertThat(outcomes.get(3).get("error").get("message").asString()).isEqualTo("too big");
    assertThat(api.get("/api/v1/tasks/" + id + "/result?index=4").json().get("error").toString())
        .contains("too big");
    byte[] pickle =
        api.bytes("/api/v1/tasks/" + id + "/result?index=2", "application/octet-stream");
    assertThat(pickle[0]).as("a pickle").isEqualTo((byte) 0x80);
    assertThat(new String(pickle, StandardCharsets.ISO_8859_1)).contains("complex");
    for (int i = 0; i < 6; i++) {
      assertThat(api.get("/api/v1/tasks/" + id + "/logs?index=" + i).text())
          .as("child %d's own stream", i)
          .contains("child computes " + (i < 3 ? 1 : 10) + " " + (2 + i % 3))
          .doesNotContain("child computes " + (i < 3 ? 10 : 1) + " ");
    }
    assertThat(api.lines("/api/v1/tasks/" + id + "/logs?index=4&follow=true").body().toList())
        .as("followed after the end: the child's whole stream, then the answer ends")
        .isEqualTo(api.get("/api/v1/tasks/" + id + "/logs?index=4").text().lines().toList());
    Api.Response whole = api.get("/api/v1/tasks/" + id + "/logs");
    assertThat(whole.status()).isEqualTo(409);
    assertThat(whole.json().get("detail").asString()).contains("/logs?index=");
    try (AutoCloseable down = AWS.fake().failEvery("DescribeJobs")) {
      Api.Response unavailable = api.get("/api/v1/tasks/" + id + "/logs?index=0");
      assertThat(unavailable.status()).as(unavailable.text()).isEqualTo(503);
      assertThat(unavailable.json().get("type").asString()).endsWith("backend-unavailable");
      assertThat(unavailable.header("Retry-After")).contains("5");
    }
    JsonNode submitted =
        AWS.fake().submitted().stream()
            .filter(r -> r.path("jobName").asString().endsWith(id))
            .findFirst()
            .orElseThrow();
    assertThat(submitted.path("arrayProperties").path("size").asInt()).isEqualTo(6);
    assertThat(AWS.fake().submissions("batch-executor-" + id)).as("one array job").isEqualTo(1);
  }
}
