package io.batchexecutor.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Relaxations reach the engine only as the operator sets them, and say so: with the host's network
 * and a writable root, a task reaches the service's port (what the default keeps out of reach, see
 * {@link TaskIsolationIT}) and its root is mounted read-write, while the rest stays confined; the
 * health details name both relaxations. The bridge mode needs an engine with a bridge, which CI's
 * ({@code --bridge=none}) has not: its container spec and network are unit-tested ({@link
 * ContainerSpecTest}, {@link BridgeNetworkTest}).
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.backend=local",
      "batch-executor.image.base-image=${BATCH_EXECUTOR_TEST_BASE_IMAGE:local/python:3}",
      "batch-executor.local.network=host",
      "batch-executor.local.read-only-root=false"
    })
class RelaxedContainersIT {

  static final Set<String> FINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

  static final String PROBE =
      """
      import os, socket

      def task(service_port):
          s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
          s.settimeout(5)
          try:
              s.connect(("127.0.0.1", service_port))
              service = "connected"
          except Exception as error:
              service = type(error).__name__
          finally:
              s.close()
          with open("/proc/self/mounts") as f:
              root = [l.split()[3].split(",") for l in f if l.split()[1] == "/"][0]
          with open("/proc/self/status") as f:
              status = dict(l.rstrip("\\n").split(":\\t", 1) for l in f if ":\\t" in l)
          return {"service": service, "root": root, "uid": os.getuid(),
                  "cap_eff": status["CapEff"].strip(), "no_new_privs": status["NoNewPrivs"].strip()}
      """;

  @LocalServerPort int port;
  @Autowired DockerClient docker;
  Api api;

  @BeforeEach
  void engine() {
    DockerAvailable.assume(docker);
    api = new Api(port);
  }

  @Test
  void onTheHostsNetworkATaskReachesTheServiceAndTheRestStaysConfined() {
    Api.Response submitted =
        api.post("/api/v1/tasks", Tasks.function(PROBE, "task").set("args", List.of(port)).build());
    JsonNode task =
        api.awaitTask(
            submitted.json().get("id").asString(),
            t -> FINAL.contains(t.get("status").asString()),
            Duration.ofSeconds(120));

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    JsonNode seen = api.get("/api/v1/tasks/" + task.get("id").asString() + "/result").json();
    assertThat(seen.get("service").asString()).isEqualTo("connected");
    assertThat(seen.get("root").toString()).contains("\"rw\"");
    assertThat(seen.get("uid").asInt()).isEqualTo(10001);
    assertThat(seen.get("cap_eff").asString()).isEqualTo("0000000000000000");
    assertThat(seen.get("no_new_privs").asString()).isEqualTo("1");
  }

  @Test
  void theHealthDetailsNameEachRelaxation() {
    JsonNode details =
        api.as(Api.OPERATOR)
            .get("/actuator/health")
            .json()
            .get("components")
            .get("taskContainers")
            .get("details");

    assertThat(details.get("network").asString()).isEqualTo("host");
    assertThat(details.get("read_only_root").asBoolean()).isFalse();
    assertThat(details.get("relaxations").valueStream().map(JsonNode::asString))
        .hasSize(2)
        .anySatisfy(r -> assertThat(r).startsWith("batch-executor.local.network=host"))
        .anySatisfy(r -> assertThat(r).startsWith("batch-executor.local.read-only-root=false"));
  }
}
