package io.batchexecutor.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.FreePorts;
import io.batchexecutor.support.ServiceTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * With backend {@code none} (an instance that only stores and tracks tasks, such as an API-only one
 * beside others that run them) no Docker engine is needed, so health does not ask for one: with
 * nobody listening at the configured address, the instance is still UP.
 */
@ServiceTest
@TestPropertySource(properties = "batch-executor.backend=none")
class NoDockerNeededTest {

  @LocalServerPort int port;

  @DynamicPropertySource
  static void nobodyListens(DynamicPropertyRegistry registry) {
    int closed = FreePorts.any();
    registry.add("batch-executor.docker.host", () -> "tcp://127.0.0.1:" + closed);
  }

  @Test
  void healthIsUpWithoutADockerEngine() {
    Api.Response answer = new Api(port).as(Api.OPERATOR).get("/actuator/health");

    JsonNode health = answer.json();
    assertThat(answer.status()).as(health.toString()).isEqualTo(200);
    assertThat(health.get("status").asString()).isEqualTo("UP");
    assertThat(health.get("components").has("db")).as("details shown to the operator").isTrue();
    assertThat(health.get("components").has("docker")).as(health.toString()).isFalse();
  }
}
