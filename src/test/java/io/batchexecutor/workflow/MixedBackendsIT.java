package io.batchexecutor.workflow;

import static io.batchexecutor.workflow.Workflows.ref;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import io.batchexecutor.support.aws.TestAwsEndpoint;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * One instance running both backends, local and awsbatch (the tests' loopback AWS endpoint: real
 * registry, S3Mock, jobs as containers on the local engine), with the S3 store: a workflow whose
 * tasks run local → awsbatch → local passes values both ways, a pickled one among them, each task
 * on the backend it asked for.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.backends=local,awsbatch",
      "batch-executor.image.base-image=${BATCH_EXECUTOR_TEST_BASE_IMAGE:local/python:3}",
      "batch-executor.awsbatch.region=us-east-1",
      "batch-executor.awsbatch.s3-path-style=true",
      "batch-executor.awsbatch.s3-bucket-name=" + MixedBackendsIT.BUCKET,
      "batch-executor.awsbatch.batch-queue=mixed-queue",
      "batch-executor.awsbatch.poll-freq=1",
      "batch-executor.awsbatch.time-limit=120"
    })
class MixedBackendsIT {

  static final String BUCKET = "batch-executor-mixed";
  @RegisterExtension static final TestAwsEndpoint AWS = TestAwsEndpoint.withBucket(BUCKET);

  @LocalServerPort int port;

  @DynamicPropertySource
  static void endpoint(DynamicPropertyRegistry registry) {
    AWS.register(registry);
  }

  @Test
  void aWorkflowPassesValuesFromLocalToBatchAndBack() {
    Api api = new Api(port);
    JsonNode executor = api.get("/api/v1/executor").json();
    assertThat(executor.get("backend").asString()).isEqualTo("local");
    assertThat(executor.get("backends").toString()).contains("\"local\"", "\"awsbatch\"");

    Api.Response accepted =
        api.post(
            "/api/v1/workflows",
            Workflows.named("local-batch-local")
                .task(
                    "load",
                    Tasks.function(
                            "from fractions import Fraction\n"
                                + "def load():\n"
                                + "    return [Fraction(1, 2), Fraction(3, 2), 2]\n",
                            "load")
                        .executor("backend", "local")
                        .build())
                .task(
                    "train",
                    Tasks.function(
                            "from fractions import Fraction\n"
                                + "class Mean:\n"
                                + "    def __init__(self, value):\n"
                                + "        self.value = value\n"
                                + "def train(data):\n"
                                + "    return Mean(sum(data) / len(data))\n",
                            "train")
                        .set("args", List.of(ref("load")))
                        .set("image", Map.of("payload", "baked"))
                        .executor("backend", "awsbatch")
                        .build())
                .task(
                    "score",
                    Tasks.function(
                            "def score(mean, data):\n"
                                + "    return [float(x / mean.value) for x in data]\n",
                            "score")
                        .set("args", List.of(ref("train"), ref("load")))
                        .build())
                .build());
    assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
    String id = accepted.json().get("id").asString();
    JsonNode tasks = accepted.json().get("tasks");

    JsonNode workflow =
        api.awaitWorkflow(
            id, w -> !"RUNNING".equals(w.get("status").asString()), Duration.ofSeconds(240));

    assertThat(workflow.get("status").asString())
        .as(String.valueOf(workflow))
        .isEqualTo("SUCCEEDED");
    assertThat(workflow.get("outputs").get("score").toString()).isEqualTo("[0.375,1.125,1.5]");
    Map<String, String> backends = Map.of("load", "local", "train", "awsbatch", "score", "local");
    backends.forEach(
        (key, backend) -> {
          JsonNode task = api.get("/api/v1/tasks/" + tasks.get(key).get("id").asString()).json();
          assertThat(task.get("executor").get("backend").asString()).as(key).isEqualTo(backend);
          assertThat(task.get("result").asString()).as(key).startsWith("s3://" + BUCKET + "/");
        });
    String trainId = tasks.get("train").get("id").asString();
    assertThat(AWS.fake().submitted().stream().map(r -> r.path("jobName").asString()))
        .as("only the awsbatch task went to Batch")
        .containsExactly("batch-executor-" + trainId);
    byte[] pickle = api.bytes("/api/v1/tasks/" + trainId + "/result", "application/octet-stream");
    assertThat(pickle[0]).as("train's value is a pickle").isEqualTo((byte) 0x80);
  }
}
