package io.batchexecutor.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.DockerSocketProxy;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.SettableClock;
import io.batchexecutor.support.Tasks;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The Docker engine goes away for a while and comes back (the service reaches it through a proxy
 * the test cuts and restores): a task waits, says why in its history, and then goes on to its true
 * outcome: nothing is failed or finished on a guess, and the container is not started again. The
 * test moves the service's clock past each back-off instead of waiting it out; the claim loop looks
 * every 100 ms, so a task the moved clock made due is tried at once.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.backend=local",
      "batch-executor.pipeline.poll-interval=100ms",
      "batch-executor.image.base-image=${BATCH_EXECUTOR_TEST_BASE_IMAGE:local/python:3}"
    })
class DockerOutageIT {

  static DockerSocketProxy proxy;

  @LocalServerPort int port;
  @Autowired SettableClock clock;
  Api api;

  @DynamicPropertySource
  static void throughTheProxy(DynamicPropertyRegistry registry) throws IOException {
    proxy = DockerSocketProxy.cutOnFreePort();
    registry.add("batch-executor.docker.host", proxy::dockerHost);
  }

  @AfterAll
  static void closeProxy() {
    proxy.close();
  }

  @BeforeEach
  void engine() throws IOException {
    DockerAvailable.assume(DockerAvailable.client());
    proxy.restore();
    api = new Api(port);
  }

  @Test
  void aTaskWaitsForTheEngineBeforeItsBuildAndThenRuns() throws IOException {
    proxy.cut();
    String id =
        api.post("/api/v1/tasks", Tasks.add().set("args", List.of(20, 22)).build())
            .json()
            .get("id")
            .asString();

    awaitEvents(id, "UNREACHABLE", 1);
    clock.advance(Duration.ofSeconds(2)); // past the first back-off (1 s, ±20 %)
    awaitEvents(id, "UNREACHABLE", 2);
    assertThat(api.get("/api/v1/tasks/" + id).json().get("status").asString())
        .isIn("QUEUED", "BUILDING");
    proxy.restore();
    clock.advance(Duration.ofSeconds(3)); // past the second (2 s, ±20 %)
    JsonNode task = awaitFinal(id);

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    assertThat(api.get("/api/v1/tasks/" + id + "/result").json().asInt()).isEqualTo(42);
    assertThat(kinds(id)).containsSubsequence("UNREACHABLE", "UNREACHABLE", "REACHABLE");
    assertThat(reasons(id, "UNREACHABLE"))
        .allSatisfy(r -> assertThat(r).startsWith("waiting: no Docker engine answers"));
  }

  @Test
  void aRunningTaskOutlivesAnOutageWithoutASecondStart() throws IOException {
    String id =
        api.post(
                "/api/v1/tasks",
                Tasks.function(
                        "import time\ndef task():\n    time.sleep(6)\n    return 'slept'\n", "task")
                    .build())
            .json()
            .get("id")
            .asString();
    api.awaitTask(id, t -> "RUNNING".equals(t.get("status").asString()), Duration.ofSeconds(120));

    proxy.cut();
    awaitEvents(id, "UNREACHABLE", 1);
    assertThat(api.get("/api/v1/tasks/" + id).json().get("status").asString())
        .as("nothing is decided while the engine cannot be asked")
        .isEqualTo("RUNNING");
    Api.Response logs = api.get("/api/v1/tasks/" + id + "/logs");
    assertThat(logs.status()).as(logs.text()).isEqualTo(503);
    assertThat(logs.json().get("type").asString()).endsWith("backend-unavailable");
    assertThat(logs.json().get("detail").asString()).contains("no Docker engine answers");
    proxy.restore();
    clock.advance(Duration.ofSeconds(2)); // past the first back-off (1 s, ±20 %)
    JsonNode task = awaitFinal(id);

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    assertThat(task.get("attempts").asInt()).as("the one container ran on").isEqualTo(1);
    assertThat(api.get("/api/v1/tasks/" + id + "/result").json().asString()).isEqualTo("slept");
    assertThat(kinds(id)).containsSubsequence("UNREACHABLE", "REACHABLE");
  }

  private JsonNode awaitFinal(String id) {
    return api.awaitTask(
        id,
        t -> List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(t.get("status").asString()),
        Duration.ofSeconds(120));
  }

  private void awaitEvents(String id, String kind, int count) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () ->
                assertThat(reasons(id, kind))
                    .as("waiting for %d %s events", count, kind)
                    .hasSizeGreaterThanOrEqualTo(count));
  }

  private List<String> kinds(String id) {
    List<String> kinds = new ArrayList<>();
    api.get("/api/v1/tasks/" + id + "/events")
        .json()
        .forEach(e -> kinds.add(e.get("kind").asString()));
    return kinds;
  }

  private List<String> reasons(String id, String kind) {
    List<String> reasons = new ArrayList<>();
    api.get("/api/v1/tasks/" + id + "/events")
        .json()
        .forEach(
            e -> {
              if (kind.equals(e.get("kind").asString())) {
                reasons.add(e.get("reason").asString());
              }
            });
    return reasons;
  }
}
