package io.batchexecutor.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Parameter sweeps on the local engine: one container per combination, results in order. */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.backend=local",
      "batch-executor.local.sweep-parallelism=4",
      "batch-executor.image.base-image=${BATCH_EXECUTOR_TEST_BASE_IMAGE:local/python:3}"
    })
class SweepIT {

  static final JsonMapper JSON = JsonMapper.builder().build();

  @LocalServerPort int port;
  Api api;

  @BeforeEach
  void engine() {
    DockerAvailable.assume(DockerAvailable.client());
    api = new Api(port);
  }

  @Test
  void aSweepOfSixCombinationsGivesEachResultOrErrorInOrder() {
    Map<String, Object> body =
        Tasks.function(
                "import os\n"
                    + "def fit(C, gamma, base=0):\n"
                    + "    print('fitting', C, gamma, 'in', os.environ['BATCH_EXECUTOR_SWEEP_INDEX'])\n"
                    + "    if C == 10 and gamma == 0.7:\n"
                    + "        raise ValueError('diverged')\n"
                    + "    return base + C * gamma\n",
                "fit")
            .set("kwargs", Map.of("base", 1))
            // the names in the order given (C, then gamma), the last varying fastest
            .set(
                "sweep",
                new java.util.TreeMap<>(
                    Map.of("C", List.of(0.1, 1, 10), "gamma", List.of(0.1, 0.7))))
            .build();
    Api.Response accepted = api.post("/api/v1/tasks", body);
    assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
    String id = accepted.json().get("id").asString();

    JsonNode task = api.awaitEnd(id, Duration.ofSeconds(180));

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    JsonNode outcomes = api.get("/api/v1/tasks/" + id + "/result").json();
    assertThat(outcomes.size()).isEqualTo(6);
    double[][] expected = {{0.1, 0.1}, {0.1, 0.7}, {1, 0.1}, {1, 0.7}, {10, 0.1}, {10, 0.7}};
    for (int i = 0; i < 6; i++) {
      JsonNode outcome = outcomes.get(i);
      assertThat(outcome.get("kwargs").get("C").asDouble()).isEqualTo(expected[i][0]);
      assertThat(outcome.get("kwargs").get("gamma").asDouble()).isEqualTo(expected[i][1]);
      if (i == 5) {
        assertThat(outcome.get("error").get("type").asString()).isEqualTo("ValueError");
        assertThat(outcome.get("error").get("message").asString()).isEqualTo("diverged");
        assertThat(outcome.has("result")).isFalse();
      } else {
        assertThat(outcome.get("result").asDouble())
            .isCloseTo(
                1 + expected[i][0] * expected[i][1], org.assertj.core.data.Offset.offset(1e-9));
      }
    }
    String logs = api.get("/api/v1/tasks/" + id + "/logs").text();
    for (int i = 0; i < 6; i++) {
      assertThat(logs).contains("=== combination " + i).contains("in " + i);
    }
    assertThat(api.get("/api/v1/tasks/" + id + "/logs?index=4").text())
        .contains("fitting 10 0.1 in 4")
        .doesNotContain("in 3");
    JsonNode fifth = api.get("/api/v1/tasks/" + id + "/result?index=5").json();
    assertThat(fifth.get("kwargs").get("C").asInt()).isEqualTo(10);
    assertThat(fifth.get("error").get("message").asString()).isEqualTo("diverged");
    Api.Response beyond = api.get("/api/v1/tasks/" + id + "/logs?index=6");
    assertThat(beyond.status()).isEqualTo(400);
    assertThat(beyond.json().get("detail").asString()).contains("between 0 and 5");
    assertThat(
            api.get("/api/v1/tasks/" + id + "/result?index=5", "application/octet-stream").status())
        .as("an error leaves no pickle")
        .isEqualTo(406);
    List<String> reasons =
        api.get("/api/v1/tasks/" + id + "/events")
            .json()
            .valueStream()
            .map(e -> e.get("reason").asString())
            .toList();
    assertThat(reasons).contains("6 combinations, run in up to 4 containers at once");
  }

  @Test
  void aSweepOfLongValuesIsStoredAndStagedAtTheSizeOfItsRequestAndEachRunGetsItsCombination()
      throws Exception {
    // two names of three values of 9,000 characters each: a request of about 55 KB, whose nine
    // combinations listed one by one would be three times that
    Map<String, Object> sweep = new java.util.LinkedHashMap<>();
    for (String name : List.of("text", "label")) {
      List<String> values = new java.util.ArrayList<>();
      for (int v = 0; v < 3; v++) {
        values.add(name.charAt(0) + Integer.toString(v) + "-" + "x".repeat(9_000));
      }
      sweep.put(name, values);
    }
    Map<String, Object> body =
        Tasks.function(
                "def f(text, label, k):\n"
                    + "    return [text[:2], label[:2], len(text), len(label), k]\n",
                "f")
            .set("kwargs", Map.of("k", 5))
            .set("image", Map.of("payload", "staged"))
            .set("sweep", sweep)
            .build();
    String request = JSON.writeValueAsString(body);
    assertThat(request.length()).isBetween(54_000, 56_000);
    Api.Response accepted = api.post("/api/v1/tasks", request);
    assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
    String id = accepted.json().get("id").asString();

    JsonNode task = api.awaitEnd(id, Duration.ofSeconds(300));

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    assertThat(task.get("sweep"))
        .as("the task's view shows the axes")
        .isEqualTo(JSON.valueToTree(sweep));
    java.nio.file.Path payload =
        java.nio.file.Path.of(
            java.net.URI.create(
                task.get("result").asString().replace("result.json", "payload.json")));
    assertThat(java.nio.file.Files.size(payload))
        .as("the staged payload.json")
        .isLessThanOrEqualTo(2L * request.length());
    assertThat(JSON.readTree(java.nio.file.Files.readAllBytes(payload)).get("sweep"))
        .isEqualTo(JSON.createObjectNode().set("product", JSON.valueToTree(sweep)));
    JsonNode outcomes = api.get("/api/v1/tasks/" + id + "/result").json();
    assertThat(outcomes.size()).isEqualTo(9);
    for (int i = 0; i < 9; i++) {
      String text = "t" + i / 3;
      String label = "l" + i % 3;
      assertThat(outcomes.get(i).get("result").toString())
          .as("run " + i)
          .isEqualTo("[\"" + text + "\",\"" + label + "\",9003,9003,5]");
      assertThat(outcomes.get(i).get("kwargs").get("text").asString()).startsWith(text + "-");
      assertThat(outcomes.get(i).get("kwargs").get("label").asString()).startsWith(label + "-");
    }
    JsonNode seventh = api.get("/api/v1/tasks/" + id + "/result?index=7").json();
    assertThat(seventh.get("result").get(0).asString()).isEqualTo("t2");
    assertThat(seventh.get("result").get(1).asString()).isEqualTo("l1");
  }

  @Test
  void aRunsPickleIsServedAsGatheredAndRefusedOnceChangedInTheStore() throws Exception {
    Map<String, Object> body =
        Tasks.function(
                "from fractions import Fraction\ndef third(n):\n    return Fraction(n, 3)\n",
                "third")
            .set("sweep", Map.of("n", List.of(1, 2)))
            .build();
    String id = api.post("/api/v1/tasks", body).json().get("id").asString();

    JsonNode task = api.awaitEnd(id, Duration.ofSeconds(180));

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    assertThat(task.path("result_sha256").has("result.json")).as(task.toString()).isTrue();
    assertThat(task.path("result_sha256").size()).as("the view shows the task's own files").isOne();
    String path = "/api/v1/tasks/" + id + "/result?index=1";
    byte[] pickle = api.bytes(path, "application/octet-stream");
    java.nio.file.Path stored =
        java.nio.file.Path.of(
            java.net.URI.create(
                task.get("result").asString().replace("result.json", "sweep/1/result.pickle")));
    assertThat(java.nio.file.Files.readAllBytes(stored)).isEqualTo(pickle);

    byte[] altered = pickle.clone();
    altered[altered.length - 2] ^= 1;
    java.nio.file.Files.write(stored, altered);

    Api.Response refused = api.get(path, "application/octet-stream");
    assertThat(refused.status()).as(refused.text()).isEqualTo(409);
    assertThat(refused.text()).contains("result-altered").contains("sweep/1/result.pickle");
    assertThat(api.get(path).json().get("type").asString())
        .as("its description comes from the gathered result, which is intact")
        .isEqualTo("fractions.Fraction");
  }

  @Test
  void aRunWhoseContainerDiesIsRetriedUpToRetryAttemptsAndOnlyIt() {
    Map<String, Object> body =
        Tasks.function(
                "import os\n"
                    + "def f(n):\n"
                    + "    attempt = os.environ['BATCH_EXECUTOR_ATTEMPT']\n"
                    + "    print('run', n, 'attempt', attempt)\n"
                    + "    if n == 1 and attempt == '1' or n == 2:\n"
                    + "        os._exit(3)\n"
                    + "    return n * 10\n",
                "f")
            .executor("retry_attempts", 2)
            .set("sweep", Map.of("n", List.of(0, 1, 2)))
            .build();
    String id = api.post("/api/v1/tasks", body).json().get("id").asString();

    JsonNode task = api.awaitEnd(id, Duration.ofSeconds(180));

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    JsonNode outcomes = api.get("/api/v1/tasks/" + id + "/result").json();
    assertThat(outcomes.get(0).get("result").asInt()).isEqualTo(0);
    assertThat(outcomes.get(1).get("result").asInt()).as("its second attempt").isEqualTo(10);
    assertThat(outcomes.get(2).get("error").get("message").asString())
        .contains("exit code 3 and no result")
        .contains("attempt 2 of 2");
    assertThat(api.get("/api/v1/tasks/" + id + "/logs?index=1").text())
        .contains("run 1 attempt 2")
        .doesNotContain("attempt 1");
    List<String> retries =
        api.get("/api/v1/tasks/" + id + "/events")
            .json()
            .valueStream()
            .filter(e -> e.get("kind").asString().equals("RETRY"))
            .map(e -> e.get("reason").asString())
            .toList();
    assertThat(retries)
        .containsExactlyInAnyOrder(
            "combination 1: the container for this combination ended with exit code 3 and no"
                + " result; starting attempt 2",
            "combination 2: the container for this combination ended with exit code 3 and no"
                + " result; starting attempt 2");
    assertThat(
            DockerAvailable.client()
                .listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of(LocalContainers.TASK_LABEL, id))
                .exec())
        .as("every attempt's container removed")
        .isEmpty();
  }

  @Test
  void whatARunPrintsAndHowManyEndedAreServedWhileTheSweepRuns() {
    Map<String, Object> body =
        Tasks.function(
                "import time\n"
                    + "def f(n):\n"
                    + "    if n == 0:\n"
                    + "        return 0\n"
                    + "    print('run', n, 'under way', flush=True)\n"
                    + "    time.sleep(120)\n",
                "f")
            .set("sweep", Map.of("n", List.of(0, 1, 2)))
            .build();
    String id = api.post("/api/v1/tasks", body).json().get("id").asString();

    String live =
        await("live logs of run 1")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(50))
            .until(
                () -> {
                  Api.Response logs = api.get("/api/v1/tasks/" + id + "/logs?index=1");
                  return logs.status() == 200 ? logs.text() : "";
                },
                text -> text.contains("run 1 under way"));
    JsonNode task =
        api.awaitTask(
            id, t -> t.get("status_reason").asString().contains("1 ended"), Duration.ofSeconds(60));
    api.post("/api/v1/tasks/" + id + "/cancel", "");

    assertThat(live).contains("run 1 under way").doesNotContain("run 2");
    assertThat(task.get("status").asString()).isEqualTo("RUNNING");
    assertThat(task.get("status_reason").asString())
        .isEqualTo("running 3 combinations: 1 ended, 2 running");
  }
}
