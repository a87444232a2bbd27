package io.batchexecutor.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import io.batchexecutor.db.EmbeddedPostgres;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.ScratchCacheDir;
import io.batchexecutor.support.ServiceProcess;
import io.batchexecutor.support.Tasks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * PostgreSQL stops under the packaged service while its tasks run, and starts again a few seconds
 * later: the service answers 503 meanwhile, reconnects by itself, and every task in flight reaches
 * its true outcome, each run once.
 */
class PostgresRestartIT {

  static final int TASKS = 8;

  DockerClient docker;
  Path cacheDir;
  Path log;

  @BeforeEach
  void setUp() throws IOException {
    docker = DockerAvailable.client();
    DockerAvailable.assume(docker);
    cacheDir = ScratchCacheDir.create("pg-restart");
    log = cacheDir.resolve("service.log");
  }

  @AfterEach
  void tearDown() throws IOException {
    EmbeddedPostgres.stopServer(cacheDir.resolve("postgres"));
    if (Files.exists(log)) { // kept for reading when the test fails
      Files.copy(
          log,
          Path.of("target", "PostgresRestartIT-service.log"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    ScratchCacheDir.remove(cacheDir);
    docker.close();
  }

  @Test
  void tasksInFlightSurviveADatabaseRestart() throws Exception {
    String[] properties =
        Stream.concat(
                Stream.of(CrashRecoveryIT.FAST_LEASES),
                Stream.of(
                    "batch-executor.pipeline.workers=4",
                    "spring.datasource.hikari.connection-timeout=2s"))
            .toArray(String[]::new);
    try (ServiceProcess service = ServiceProcess.start(cacheDir, log, properties)) {
      Api api = service.api();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < TASKS; i++) {
        ids.add(
            api.post(
                    "/api/v1/tasks",
                    Tasks.function(
                            "import time\ndef task(i):\n    time.sleep(4)\n    return i * i\n",
                            "task")
                        .set("args", List.of(i))
                        .build())
                .json()
                .get("id")
                .asString());
      }
      api.awaitTask(
          ids.get(0), t -> "RUNNING".equals(t.get("status").asString()), Duration.ofSeconds(120));

      EmbeddedPostgres.stopServer(cacheDir.resolve("postgres"));
      Api.Response refused = api.post("/api/v1/tasks", Tasks.add().build());
      assertThat(refused.status()).as(refused.text()).isEqualTo(503);
      assertThat(refused.contentType()).isEqualTo("application/problem+json");
      assertThat(refused.json().get("type").asString()).endsWith(":database-unavailable");
      assertThat(refused.header("Retry-After")).contains("5");
      Thread.sleep(3000); // a fixed wait: the database stays down a few seconds while tasks run
      EmbeddedPostgres.start(cacheDir.resolve("postgres"), Duration.ofSeconds(60));

      for (int i = 0; i < TASKS; i++) {
        String id = ids.get(i);
        JsonNode task =
            api.awaitTask(
                id,
                t -> CrashRecoveryIT.FINAL.contains(t.get("status").asString()),
                Duration.ofSeconds(180));
        assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
        assertThat(api.get("/api/v1/tasks/" + id + "/result").json().asInt()).isEqualTo(i * i);
        List<String> kinds =
            api.get("/api/v1/tasks/" + id + "/events")
                .json()
                .valueStream()
                .map(e -> e.get("kind").asString())
                .toList();
        assertThat(kinds.stream().filter("ATTEMPT"::equals)).as("started once").hasSize(1);
      }
      assertThat(api.get("/api/v1/tasks?size=100").json().get("items").size())
          .as("the request refused during the outage stored nothing")
          .isEqualTo(TASKS);
    }
    assertThat(Files.readString(log)).contains("Listening for task notifications failed");
  }
}
