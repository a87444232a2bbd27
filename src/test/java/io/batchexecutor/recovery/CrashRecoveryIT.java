package io.batchexecutor.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.ScratchCacheDir;
import io.batchexecutor.support.ServiceProcess;
import io.batchexecutor.support.Tasks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The packaged service killed for real while a task runs, then started again on the same data: the
 * task reaches its true final state, and neither its image nor its container is made twice.
 */
class CrashRecoveryIT {

  static final Set<String> FINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");
  static final String[] FAST_LEASES = {
    "batch-executor.backend=local",
    "batch-executor.image.base-image=" + DockerAvailable.BASE_IMAGE,
    "batch-executor.pipeline.lease-duration=4s",
    "batch-executor.pipeline.heartbeat-interval=1s",
    "batch-executor.pipeline.reaper-interval=1s",
    "batch-executor.pipeline.poll-interval=1s",
    "logging.level.root=WARN"
  };

  DockerClient docker;
  Path cacheDir;
  Path log;

  @BeforeEach
  void setUp() throws IOException {
    docker = DockerAvailable.client();
    DockerAvailable.assume(docker);
    cacheDir = ScratchCacheDir.create("crash");
    log = cacheDir.resolve("service.log");
  }

  @AfterEach
  void tearDown() throws IOException {
    ScratchCacheDir.remove(cacheDir);
    if (docker != null) {
      docker.close();
    }
  }

  @Test
  void killedWhileRunningTheTaskFinishesAfterARestartInTheSameContainer() throws Exception {
    String marker = UUID.randomUUID().toString();
    String id;
    try (ServiceProcess first = ServiceProcess.start(cacheDir, log, FAST_LEASES)) {
      Api api = first.api();
      id =
          api.post(
                  "/api/v1/tasks",
                  Tasks.function(
                          "import time\ndef task():\n    time.sleep(6)\n    return '"
                              + marker
                              + "'\n",
                          "task")
                      .build())
              .json()
              .get("id")
              .asString();
      api.awaitTask(id, t -> "RUNNING".equals(t.get("status").asString()), Duration.ofSeconds(120));
      first.kill();
    }

    try (ServiceProcess second = ServiceProcess.start(cacheDir, log, FAST_LEASES)) {
      Api api = second.api();
      JsonNode task =
          api.awaitTask(
              id, t -> FINAL.contains(t.get("status").asString()), Duration.ofSeconds(120));

      assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
      assertThat(api.get("/api/v1/tasks/" + id + "/result").json().asString()).isEqualTo(marker);
      assertThat(task.get("attempts").asInt()).as("one container, one attempt").isEqualTo(1);
      List<String> kinds = kinds(api, id);
      assertThat(kinds.stream().filter("IMAGE"::equals)).as("built once").hasSize(1);
      assertThat(kinds.stream().filter("ATTEMPT"::equals)).as("started once").hasSize(1);
      assertThat(kinds).contains("LEASE_EXPIRED");
    }
    assertThat(Files.readString(log))
        .as("the client's token is never logged")
        .doesNotContain(Api.TESTER);
  }

  @Test
  void aGracefulStopGivesTheLeaseBackSoTheNextInstanceGoesOnAtOnce() throws Exception {
    String[] slowLeases = FAST_LEASES.clone();
    slowLeases[2] =
        "batch-executor.pipeline.lease-duration=10m"; // only a given-back lease helps here
    String id;
    try (ServiceProcess first = ServiceProcess.start(cacheDir, log, slowLeases)) {
      Api api = first.api();
      id =
          api.post(
                  "/api/v1/tasks",
                  Tasks.function(
                          "import time\ndef task():\n    time.sleep(4)\n    return 1\n", "task")
                      .build())
              .json()
              .get("id")
              .asString();
      api.awaitTask(id, t -> "RUNNING".equals(t.get("status").asString()), Duration.ofSeconds(120));
      first.stop();
    }

    try (ServiceProcess second = ServiceProcess.start(cacheDir, log, slowLeases)) {
      JsonNode task =
          second
              .api()
              .awaitTask(
                  id, t -> FINAL.contains(t.get("status").asString()), Duration.ofSeconds(120));

      assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
      assertThat(task.get("attempts").asInt()).isEqualTo(1);
      assertThat(kinds(second.api(), id)).doesNotContain("LEASE_EXPIRED");
    }
  }

  private static List<String> kinds(Api api, String id) {
    return api.get("/api/v1/tasks/" + id + "/events")
        .json()
        .valueStream()
        .map(e -> e.get("kind").asString())
        .toList();
  }
}
