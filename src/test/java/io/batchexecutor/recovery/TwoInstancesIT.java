package io.batchexecutor.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.ScratchCacheDir;
import io.batchexecutor.support.ServiceProcess;
import io.batchexecutor.support.Tasks;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Two packaged instances on one database share 200 tasks: each is claimed and run exactly once. */
class TwoInstancesIT {

  static final int TASKS = 200;

  DockerClient docker;
  Path cacheDir;

  @BeforeEach
  void setUp() throws IOException {
    docker = DockerAvailable.client();
    DockerAvailable.assume(docker);
    cacheDir = ScratchCacheDir.create("two");
  }

  @AfterEach
  void tearDown() throws IOException {
    ScratchCacheDir.remove(cacheDir);
    if (docker != null) {
      docker.close();
    }
  }

  @Test
  void eachTaskIsClaimedAndRunExactlyOnce() throws Exception {
    String[] settings = {
      "batch-executor.backend=local",
      "batch-executor.image.base-image=" + DockerAvailable.BASE_IMAGE,
      "batch-executor.pipeline.workers=4",
      "logging.level.root=WARN"
    };
    Path log = cacheDir.resolve("service.log");
    // one after the other: two first starts at once on a fresh embedded server both create its
    // database, and the one PostgreSQL refuses with a duplicate key (SQLSTATE 23505, not the 42P04
    // EmbeddedPostgres.ensureDatabase takes for "created meanwhile") fails to start
    try (ServiceProcess a = ServiceProcess.start(cacheDir, log, settings);
        ServiceProcess b = ServiceProcess.start(cacheDir, log, settings)) {
      List<Api> apis = List.of(a.api(), b.api());
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < TASKS; i++) {
        ids.add(
            apis.get(i % 2)
                .post(
                    "/api/v1/tasks",
                    Tasks.function("def task(x):\n    return x\n", "task")
                        .set("args", List.of(7))
                        .build())
                .json()
                .get("id")
                .asString());
      }

      Set<String> instances = new HashSet<>();
      for (String id : ids) {
        JsonNode task =
            apis.get(0)
                .awaitTask(
                    id,
                    t ->
                        Set.of("SUCCEEDED", "FAILED", "CANCELLED")
                            .contains(t.get("status").asString()),
                    Duration.ofMinutes(5));
        assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
        List<JsonNode> events =
            apis.get(0).get("/api/v1/tasks/" + id + "/events").json().valueStream().toList();
        List<JsonNode> claims =
            events.stream().filter(e -> e.get("kind").asString().equals("CLAIMED")).toList();
        assertThat(claims).as("claimed once: " + events).hasSize(1);
        assertThat(events.stream().filter(e -> e.get("kind").asString().equals("ATTEMPT")))
            .as("run once")
            .hasSize(1);
        instances.add(claims.get(0).get("details").get("instance").asString());
      }
      assertThat(instances).as("both instances worked").hasSize(2);
    }
  }
}
