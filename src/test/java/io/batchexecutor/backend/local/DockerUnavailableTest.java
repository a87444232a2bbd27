package io.batchexecutor.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.FreePorts;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.SettableClock;
import io.batchexecutor.support.Tasks;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * With no Docker engine at the configured address the service still starts, health says Docker is
 * down and what to do, and a task waits with that reason, trying again, until the budget for tasks
 * that never started (30 min) runs out; then it fails saying so, without a stack trace. The test
 * moves the service's clock through the back-off and the budget instead of waiting them out; the
 * claim loop looks every 100 ms, so a task the moved clock made due is tried at once.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.backend=local",
      "batch-executor.pipeline.poll-interval=100ms"
    })
class DockerUnavailableTest {

  @LocalServerPort int port;
  @Autowired SettableClock clock;

  @DynamicPropertySource
  static void nobodyListens(DynamicPropertyRegistry registry) {
    int closed = FreePorts.any();
    registry.add("batch-executor.docker.host", () -> "tcp://127.0.0.1:" + closed);
  }

  @Test
  void healthShowsDockerDownWithWhatToDo() {
    JsonNode health = new Api(port).as(Api.OPERATOR).get("/actuator/health").json();

    JsonNode docker = health.get("components").get("docker");
    assertThat(docker.get("status").asString()).isEqualTo("DOWN");
    assertThat(docker.get("details").get("reason").asString()).contains("start dockerd");
  }

  @Test
  void aTaskWaitsThenGivesUpWithAReasonThatSaysWhatToStart() {
    Api api = new Api(port);
    String id = api.post("/api/v1/tasks", Tasks.add().build()).json().get("id").asString();
    awaitWaits(api, id, 1);
    assertThat(status(api, id)).as("a first failed try is a wait").isIn("QUEUED", "BUILDING");

    clock.advance(Duration.ofSeconds(2)); // past the first back-off (1 s, ±20 %)
    awaitWaits(api, id, 2);
    clock.advance(Duration.ofMinutes(28));
    awaitWaits(api, id, 3);
    assertThat(status(api, id))
        .as("28 min of waiting is within the budget")
        .isIn("QUEUED", "BUILDING");
    clock.advance(Duration.ofMinutes(3));
    JsonNode task =
        api.awaitTask(id, t -> "FAILED".equals(t.get("status").asString()), Duration.ofSeconds(30));

    assertThat(task.get("status_reason").asString())
        .containsPattern("^gave up after 3[1-3] min of retries")
        .contains("of retries: no Docker engine answers")
        .contains("start dockerd or set DOCKER_HOST");
    assertThat(task.get("error").get("type").asString()).isEqualTo("DockerUnavailable");
    assertThat(task.toString()).doesNotContain("Exception").doesNotContain("\tat ");
    JsonNode events = api.get("/api/v1/tasks/" + id + "/events").json();
    java.util.List<String> waits = new java.util.ArrayList<>();
    events.forEach(
        e -> {
          if ("UNREACHABLE".equals(e.get("kind").asString())) {
            waits.add(e.get("reason").asString());
          }
        });
    assertThat(waits)
        .as("every try is in the history, each saying why")
        .hasSize(3)
        .allSatisfy(r -> assertThat(r).startsWith("waiting: no Docker engine answers"));
    assertThat(waits.get(0)).endsWith("(try 1; next in 1 s)");
    assertThat(waits.get(1)).endsWith("(try 2; next in 2 s)");
  }

  private static void awaitWaits(Api api, String id, int count) {
    await("%d UNREACHABLE events".formatted(count))
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              int n = 0;
              for (JsonNode e : api.get("/api/v1/tasks/" + id + "/events").json()) {
                n += "UNREACHABLE".equals(e.get("kind").asString()) ? 1 : 0;
              }
              return n;
            },
            n -> n >= count);
  }

  private static String status(Api api, String id) {
    return api.get("/api/v1/tasks/" + id).json().get("status").asString();
  }
}
