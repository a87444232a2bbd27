package io.batchexecutor.backend.local;

import static io.batchexecutor.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

/**
 * A base image outside the execution profile's allow-list is refused before the engine hears of it.
 * A listener on a loopback port stands in for an internal registry: the refused task's image names
 * it, and the listener sees no connection; an allowed name on the same listener shows that the
 * engine, given the chance, does connect to it.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.backend=local",
      "batch-executor.image.base-image=${BATCH_EXECUTOR_TEST_BASE_IMAGE:local/python:3}",
      "batch-executor.execution-profiles.local.allowed-base-images=127.0.0.1:*/allowed/*:*"
    })
class BaseImageAllowListIT {

  @LocalServerPort int port;
  Api api;
  ServerSocket registry;
  final AtomicInteger connections = new AtomicInteger();

  @BeforeEach
  void listen() throws IOException {
    DockerAvailable.assume(DockerAvailable.client());
    api = new Api(port);
    registry = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept =
        new Thread(
            () -> {
              while (!registry.isClosed()) {
                try (Socket ignored = registry.accept()) {
                  connections.incrementAndGet();
                } catch (IOException e) {
                  return;
                }
              }
            },
            "stand-in-registry");
    accept.setDaemon(true);
    accept.start();
  }

  @AfterEach
  void close() throws IOException {
    registry.close();
  }

  @Test
  void aForeignBaseImageIsRefusedAndTheEngineNeverContactsItsRegistry() throws Exception {
    String internal = "127.0.0.1:" + registry.getLocalPort() + "/internal/x:1";

    Api.Response refused =
        api.post("/api/v1/tasks", Tasks.add().set("image", Map.of("base_image", internal)).build());

    assertProblem(refused, 400, "base-image-not-allowed");
    assertThat(refused.json().get("errors").get(0).get("field").asString())
        .isEqualTo("image.base_image");
    assertThat(refused.json().get("errors").get(0).get("message").asString())
        .contains("127.0.0.1:*/allowed/*:*");
    Thread.sleep(1000);
    assertThat(connections.get()).as("no connection for the refused image").isZero();

    // the control: an allowed name on the same listener is pulled, so the engine connects to it
    String allowed = "127.0.0.1:" + registry.getLocalPort() + "/allowed/x:1";
    Api.Response accepted =
        api.post("/api/v1/tasks", Tasks.add().set("image", Map.of("base_image", allowed)).build());
    assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
    Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
    while (connections.get() == 0 && Instant.now().isBefore(deadline)) {
      Thread.sleep(100);
    }
    assertThat(connections.get()).as("the engine pulls an allowed image").isPositive();
    api.awaitEnd(accepted.json().get("id").asString(), Duration.ofMinutes(2));

    int afterControl = connections.get();
    Api.Response again =
        api.post("/api/v1/tasks", Tasks.add().set("image", Map.of("base_image", internal)).build());
    assertProblem(again, 400, "base-image-not-allowed");
    Thread.sleep(2000);
    assertThat(connections.get()).as("no connection for the refused image").isEqualTo(afterControl);
  }
}
