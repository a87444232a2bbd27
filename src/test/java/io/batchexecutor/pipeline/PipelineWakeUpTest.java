package io.batchexecutor.pipeline;

import static io.batchexecutor.support.TaskBuilder.aTask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.SettableClock;
import io.batchexecutor.support.Tasks;
import io.batchexecutor.task.EventKind;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskEvent;
import io.batchexecutor.task.TaskQueries;
import io.batchexecutor.task.TaskRepository;
import io.batchexecutor.task.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The pipeline picks work up on a wake-up, not on its fallback poll: the poll here is an hour, so a
 * task can only be reached in time through the in-process signal, PostgreSQL's NOTIFY, or the
 * reaper's return of a task whose holder's lease ran out on the service's clock (the reaper looks
 * every 100 ms here; the test moves the clock past the lease instead of waiting for it).
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.pipeline.poll-interval=1h",
      "batch-executor.pipeline.reaper-interval=100ms",
      "batch-executor.backend=none"
    })
class PipelineWakeUpTest {

  @LocalServerPort int port;
  @Autowired TaskRepository tasks;
  @Autowired TaskQueries queries;
  @Autowired Pipeline pipeline;
  @Autowired SettableClock clock;
  @Autowired JdbcClient jdbc;

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

  @Test
  void aTaskWhoseHoldersLeaseRanOutIsReapedThenAndClaimedAgain() throws InterruptedException {
    Task task = aTask().acceptedAt(clock.instant()).build();
    tasks.insert(task, null, null);
    Instant leaseEnd = clock.instant().plus(Duration.ofSeconds(60));
    // claimed by an instance that died: it renews nothing
    jdbc.sql(
            "UPDATE task SET lease_owner = 'dead-instance', lease_expires_at = :until,"
                + " version = version + 1 WHERE id = :id")
        .param("until", leaseEnd.atOffset(ZoneOffset.UTC))
        .param("id", task.id())
        .update();

    Thread.sleep(500); // a fixed wait: five of the reaper's looks, while the lease holds
    assertThat(tasks.find(task.id()).orElseThrow().status()).isEqualTo(TaskStatus.QUEUED);
    assertThat(kinds(task)).doesNotContain(EventKind.LEASE_EXPIRED);

    clock.advance(Duration.ofSeconds(61));
    await("task reaped and claimed again")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> tasks.find(task.id()).orElseThrow().status(), s -> s == TaskStatus.FAILED);

    assertThat(kinds(task)).containsSubsequence(EventKind.LEASE_EXPIRED, EventKind.CLAIMED);
    assertThat(queries.events(task.id()))
        .filteredOn(e -> e.kind().equals(EventKind.LEASE_EXPIRED))
        .singleElement()
        .satisfies(e -> assertThat(e.reason()).contains("dead-instance"))
        .satisfies(e -> assertThat(e.at()).isAfter(leaseEnd));
  }

  private List<EventKind> kinds(Task task) {
    return queries.events(task.id()).stream().map(TaskEvent::kind).toList();
  }

  private void awaitListening() {
    await("listener connected")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(pipeline::listening);
  }
}
