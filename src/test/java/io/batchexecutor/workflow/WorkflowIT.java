package io.batchexecutor.workflow;

import static io.batchexecutor.workflow.Workflows.ref;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/** Whole workflows on the local backend with the real engine: results feed the next tasks. */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.backend=local",
      "batch-executor.image.base-image=${BATCH_EXECUTOR_TEST_BASE_IMAGE:local/python:3}"
    })
class WorkflowIT {

  static final Set<String> ENDED = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

  @LocalServerPort int port;
  Api api;

  @BeforeEach
  void engine() {
    DockerAvailable.assume(DockerAvailable.client());
    api = new Api(port);
  }

  @Test
  void loadTrainScorePassesAnObjectJsonCannotCarryAsAPickle() {
    String id =
        submit(
            Workflows.named("load-train-score")
                .task("load", "def load():\n    return [1, 2, 3, 4]\n", "load", List.of())
                .task(
                    "train",
                    "from fractions import Fraction\n"
                        + "def train(data):\n"
                        + "    return {'mean': Fraction(sum(data), len(data)),"
                        + " 'seen': frozenset(data)}\n",
                    "train",
                    List.of(ref("load")))
                .task(
                    "score",
                    "def score(model, x):\n"
                        + "    return {'prediction': float(model['mean'] * x),"
                        + " 'seen': sorted(model['seen']), 'kind': type(model['mean']).__name__}\n",
                    "score",
                    List.of(ref("train"), 10)));

    JsonNode workflow = awaitWorkflow(id, w -> !"RUNNING".equals(w.get("status").asString()));

    assertThat(workflow.get("status").asString()).as(workflow.toString()).isEqualTo("SUCCEEDED");
    JsonNode score = workflow.get("outputs").get("score");
    assertThat(score.get("prediction").asDouble()).isEqualTo(25.0);
    assertThat(score.get("seen").toString()).isEqualTo("[1,2,3,4]");
    assertThat(score.get("kind").asString()).isEqualTo("Fraction");
    assertThat(workflow.get("outputs").has("train")).as("only the last task's output").isFalse();
    JsonNode trained = result(workflow, "train");
    assertThat(trained.get("pickled").asBoolean()).isTrue();
    assertThat(trained.get("type").asString()).isEqualTo("builtins.dict");
  }

  @Test
  void aValueOfAClassOnlyItsProducerDefinesIsUsableDownstreamInEitherPayloadMode() {
    String model =
        "class Model:\n"
            + "    def __init__(self, weight):\n"
            + "        self.weight = weight\n"
            + "    def predict(self, x):\n"
            + "        return self.weight * x\n"
            + "def train(xs):\n"
            + "    return Model(sum(xs))\n";
    String score = "def score(model, x):\n    return [model.predict(x), type(model).__name__]\n";
    String id =
        submit(
            Workflows.named("class-across-tasks")
                .task("train", model, "train", List.of(List.of(1, 2, 3)))
                .task(
                    "staged",
                    Tasks.function(score, "score").set("args", List.of(ref("train"), 10)).build())
                .task(
                    "baked",
                    Tasks.function(score, "score")
                        .set("args", List.of(ref("train"), 100))
                        .set("image", Map.of("payload", "baked"))
                        .build()));

    JsonNode workflow = awaitWorkflow(id, w -> w.get("finished_at").isString());

    assertThat(workflow.get("status").asString()).as(workflow.toString()).isEqualTo("SUCCEEDED");
    assertThat(workflow.get("outputs").get("staged").toString()).isEqualTo("[60,\"Model\"]");
    assertThat(workflow.get("outputs").get("baked").toString()).isEqualTo("[600,\"Model\"]");
    assertThat(result(workflow, "train").get("type").asString()).endsWith(".Model");
  }

  @Test
  void aDiamondRunsEachTaskAfterAllItsDependencies() {
    String id =
        submit(
            Workflows.named("diamond")
                .task("a", "def f():\n    return 2\n", "f", List.of())
                .task("b", "def f(x):\n    return x * 3\n", "f", List.of(ref("a")))
                .task("c", "def f(x):\n    return x + 4\n", "f", List.of(ref("a")))
                .task("d", "def f(b, c):\n    return b * c\n", "f", List.of(ref("b"), ref("c"))));

    JsonNode workflow = awaitWorkflow(id, w -> !"RUNNING".equals(w.get("status").asString()));

    assertThat(workflow.get("status").asString()).as(workflow.toString()).isEqualTo("SUCCEEDED");
    assertThat(workflow.get("outputs").get("d").asInt()).isEqualTo(36);
    Instant dQueued = queuedAt(workflow, "d");
    assertThat(dQueued).isAfterOrEqualTo(finishedAt(workflow, "b"));
    assertThat(dQueued).isAfterOrEqualTo(finishedAt(workflow, "c"));
    assertThat(queuedAt(workflow, "b")).isAfterOrEqualTo(finishedAt(workflow, "a"));
  }

  @Test
  void aFailingMiddleTaskCancelsEverythingBelowItNamingIt() {
    String id =
        submit(
            Workflows.named("broken-middle")
                .task("a", "def f():\n    return 1\n", "f", List.of())
                .task(
                    "b",
                    "def f(x):\n    raise ValueError('bad batch ' + str(x))\n",
                    "f",
                    List.of(ref("a")))
                .task("c", "def f(x):\n    return x\n", "f", List.of(ref("b")))
                .task("d", "def f(x):\n    return x\n", "f", List.of(ref("c")))
                .task("side", "def f(x):\n    return x + 1\n", "f", List.of(ref("a"))));

    JsonNode workflow = awaitWorkflow(id, w -> !"RUNNING".equals(w.get("status").asString()));

    assertThat(workflow.get("status").asString()).as(workflow.toString()).isEqualTo("FAILED");
    JsonNode tasks = workflow.get("tasks");
    assertThat(tasks.get("a").get("status").asString()).isEqualTo("SUCCEEDED");
    assertThat(tasks.get("b").get("status").asString()).isEqualTo("FAILED");
    assertThat(tasks.get("b").get("status_reason").asString()).contains("bad batch 1");
    for (String below : List.of("c", "d")) {
      assertThat(tasks.get(below).get("status").asString()).isEqualTo("CANCELLED");
      assertThat(tasks.get(below).get("status_reason").asString())
          .isEqualTo("cancelled: its dependency 'b' FAILED");
    }
    JsonNode settled = awaitWorkflow(id, w -> w.get("finished_at").isString());
    assertThat(settled.get("tasks").get("side").get("status").asString())
        .as("an independent branch runs to its end")
        .isEqualTo("SUCCEEDED");
  }

  @Test
  void cancellingARunningWorkflowStopsItsTaskAndCancelsTheRest() {
    String id =
        submit(
            Workflows.named("long")
                .task(
                    "slow",
                    "import time\ndef f():\n    time.sleep(120)\n    return 1\n",
                    "f",
                    List.of())
                .task("after", "def f(x):\n    return x\n", "f", List.of(ref("slow"))));
    JsonNode running =
        awaitWorkflow(
            id, w -> "RUNNING".equals(w.get("tasks").get("slow").get("status").asString()));
    assertThat(running.get("tasks").get("after").get("status").asString()).isEqualTo("WAITING");

    Api.Response cancelled = api.post("/api/v1/workflows/" + id + "/cancel", "");
    assertThat(cancelled.status()).isEqualTo(202);
    JsonNode workflow = awaitWorkflow(id, w -> w.get("finished_at").isString());

    assertThat(workflow.get("status").asString()).as(workflow.toString()).isEqualTo("CANCELLED");
    assertThat(workflow.get("cancel_requested").asBoolean()).isTrue();
    assertThat(workflow.get("tasks").get("slow").get("status").asString()).isEqualTo("CANCELLED");
    assertThat(workflow.get("tasks").get("after").get("status").asString()).isEqualTo("CANCELLED");
  }

  @Test
  void aPickleChangedInTheStoreBeforeItsConsumerStartsIsNotCopiedInAndFailsItNamingTheInput()
      throws Exception {
    Api.Response accepted =
        api.post(
            "/api/v1/workflows",
            Workflows.named("altered-pickle")
                .task(
                    "data",
                    "from fractions import Fraction\ndef data():\n    return Fraction(1, 3)\n",
                    "data",
                    List.of())
                .task(
                    "slow",
                    "import time\ndef slow():\n    time.sleep(5)\n    return 3\n",
                    "slow",
                    List.of())
                .task(
                    "total",
                    "def total(data, slow):\n    return float(data * slow)\n",
                    "total",
                    List.of(ref("data"), ref("slow")))
                .build());
    assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
    JsonNode tasks = accepted.json().get("tasks");
    String data = tasks.get("data").get("id").asString();
    String total = tasks.get("total").get("id").asString();

    // 'total' starts once 'slow' succeeded too: 'data''s pickle is changed before that
    JsonNode produced = api.awaitEnd(data, Duration.ofSeconds(180));
    assertThat(produced.get("status").asString()).as(produced.toString()).isEqualTo("SUCCEEDED");
    assertThat(produced.get("result").asString()).contains("/batch-executor/tester/" + data + "/");
    java.nio.file.Path pickle =
        java.nio.file.Path.of(
            java.net.URI.create(
                produced.get("result").asString().replace("result.json", "result.pickle")));
    byte[] original = java.nio.file.Files.readAllBytes(pickle);
    assertThat(produced.path("result_sha256").path("result.pickle").asString())
        .isEqualTo(io.batchexecutor.support.Sha256.hex(original));
    byte[] altered = original.clone();
    altered[altered.length - 2] ^= 1;
    java.nio.file.Files.write(pickle, altered);

    JsonNode consumer = api.awaitEnd(total, Duration.ofSeconds(180));

    assertThat(consumer.get("status").asString()).as(consumer.toString()).isEqualTo("FAILED");
    assertThat(consumer.get("status_reason").asString())
        .contains("dependency 'data'")
        .contains("result.pickle")
        .contains("does not match the SHA-256");
    Api.Response served = api.get("/api/v1/tasks/" + data + "/result", "application/octet-stream");
    assertThat(served.status()).as(served.text()).isEqualTo(409);
    assertThat(served.text()).contains("result-altered");
  }

  // ---- helpers -------------------------------------------------------------------------------

  private String submit(Workflows workflow) {
    Api.Response response = api.post("/api/v1/workflows", workflow.build());
    assertThat(response.status()).as(response.text()).isEqualTo(202);
    return response.json().get("id").asString();
  }

  private JsonNode awaitWorkflow(String id, Predicate<JsonNode> until) {
    return api.awaitWorkflow(id, until, Duration.ofSeconds(180));
  }

  private JsonNode task(JsonNode workflow, String key) {
    return api.get("/api/v1/tasks/" + workflow.get("tasks").get(key).get("id").asString()).json();
  }

  private JsonNode result(JsonNode workflow, String key) {
    return api.get(
            "/api/v1/tasks/" + workflow.get("tasks").get(key).get("id").asString() + "/result")
        .json();
  }

  private Instant finishedAt(JsonNode workflow, String key) {
    return Instant.parse(task(workflow, key).get("finished_at").asString());
  }

  private Instant queuedAt(JsonNode workflow, String key) {
    String id = workflow.get("tasks").get(key).get("id").asString();
    return api.get("/api/v1/tasks/" + id + "/events")
        .json()
        .valueStream()
        .filter(e -> "QUEUED".equals(e.path("to_status").asString()))
        .map(e -> Instant.parse(e.get("at").asString()))
        .reduce((first, second) -> second)
        .orElseThrow();
  }
}
