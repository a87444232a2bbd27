package io.batchexecutor.pipeline;

import static io.batchexecutor.support.TaskBuilder.aTask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskRepository;
import io.batchexecutor.task.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The pipeline picks work up on a wake-up, not on its fallback poll: the poll here is an hour, so a
 * task can only be reached in time through the in-process signal or PostgreSQL's NOTIFY.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.pipeline.poll-interval=1h",
      "batch-executor.backend=none"
    })
class PipelineWakeUpTest {

  @LocalServerPort int port;
  @Autowired TaskRepository tasks;
  @Autowired Pipeline pipeline;

  @Test
  void aSubmittedTaskIsClaimedAtOnceAndFailsWithoutABackend() {
    Api api = new Api(port);
    String id = api.post("/api/v1/tasks", Tasks.add().build()).json().get("id").asString();

    JsonNode task =
        api.awaitTask(id, t -> "FAILED".equals(t.get("status").asString()), Duration.ofSeconds(30));

    assertThat(task.get("status_reason").asString()).contains("no compute backend is configured");
    assertThat(task.get("error").get("type").asString()).isEqualTo("NoComputeBackend");
    assertThat(task.get("finished_at").isNull()).isFalse();
  }

  @Test
  void aTaskStoredByAnotherInstanceArrivesThroughNotify() {
    awaitListening();
    Task task = aTask().acceptedAt(Instant.now()).build();
    tasks.insert(task, null, null); // no in-process event: only the NOTIFY can wake this pipeline

    await("task reached through NOTIFY")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> tasks.find(task.id()).orElseThrow().status(), s -> s == TaskStatus.FAILED);
  }

  private void awaitListening() {
    await("listener connected")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(pipeline::listening);
  }
}
