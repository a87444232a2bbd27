package io.batchexecutor.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.FreePorts;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * With no Docker engine at the configured address the service still starts, health says Docker is
 * down and what to do, and a task waits with that reason, trying again, until the (here very short)
 * budget for tasks that never started runs out; then it fails saying so, without a stack trace.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.backend=local",
      "batch-executor.pipeline.unreachable-give-up-after=4s"
    })
class DockerUnavailableTest {

  @LocalServerPort int port;

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

    JsonNode task =
        api.awaitTask(id, t -> "FAILED".equals(t.get("status").asString()), Duration.ofSeconds(60));

    assertThat(task.get("status_reason").asString())
        .startsWith("gave up after ")
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
        .hasSizeGreaterThanOrEqualTo(2)
        .allSatisfy(r -> assertThat(r).startsWith("waiting: no Docker engine answers"));
  }
}
