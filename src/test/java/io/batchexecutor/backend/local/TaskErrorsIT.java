package io.batchexecutor.backend.local;

import static io.batchexecutor.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A function that raises an exception of megabytes: the error is kept once and bounded, a task's
 * view and its listings carry only the start of the message, and {@code /error} serves the rest.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.backend=local",
      "batch-executor.image.base-image=${BATCH_EXECUTOR_TEST_BASE_IMAGE:local/python:3}",
      "batch-executor.local.max-result-size=8MB"
    })
class TaskErrorsIT {

  static final Duration WAIT = Duration.ofSeconds(120);
  static final int FIVE_MB = 5_000_000;

  @LocalServerPort int port;
  @Autowired DockerClient docker;
  @Autowired JdbcClient jdbc;
  Api api;

  @BeforeEach
  void engine() {
    DockerAvailable.assume(docker);
    api = new Api(port);
  }

  @Test
  void anExceptionOfFiveMegabytesIsStoredOnceBoundedAndServedApart() {
    String id =
        api.post(
                "/api/v1/tasks",
                Tasks.function(
                        "def task():\n"
                            + "    def deep(n):\n"
                            + "        if n == 0:\n"
                            + "            raise ValueError('x' * "
                            + FIVE_MB
                            + ")\n"
                            + "        deep(n - 1)\n"
                            + "    deep(5)\n",
                        "task")
                    .build())
            .json()
            .get("id")
            .asString();
    JsonNode task = api.awaitEnd(id, WAIT);

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("FAILED");
    JsonNode summary = task.get("error");
    assertThat(summary.get("type").asString()).isEqualTo("ValueError");
    assertThat(summary.get("message").asString().length()).isBetween(8_000, 8_192);
    assertThat(summary.get("message").asString()).startsWith("xxxx").contains("characters dropped");
    assertThat(summary.get("message_truncated").asBoolean()).isTrue();
    assertThat(summary.get("has_traceback").asBoolean()).isTrue();
    assertThat(summary.has("traceback")).as("no traceback in a task's view").isFalse();
    assertThat(task.toString().length()).as("the whole view").isLessThan(16_384);
    assertThat(task.get("status_reason").asString().length()).isLessThan(600);
    assertThat(api.get("/api/v1/tasks?size=200").text().length()).isLessThan(64_000);

    JsonNode error = api.get("/api/v1/tasks/" + id + "/error").json();
    assertThat(error.get("type").asString()).isEqualTo("ValueError");
    String message = error.get("message").asString();
    assertThat(message.length()).isBetween(65_000, 65_536);
    assertThat(message).startsWith("x".repeat(65_000)).endsWith(" more characters dropped]");
    int kept = message.indexOf('\n');
    assertThat(message).endsWith("[" + (FIVE_MB - kept) + " more characters dropped]");
    assertThat(error.get("traceback").asString()).contains("Traceback").contains("in deep");

    // stored once: the error column; the status reason and every event carry only its start
    long stored =
        jdbc.sql(
                "SELECT coalesce(length(status_reason), 0) + coalesce(length(error::text), 0)"
                    + " FROM task WHERE id = ?")
            .param(UUID.fromString(id))
            .query(Long.class)
            .single();
    long inEvents =
        jdbc.sql(
                "SELECT coalesce(sum(coalesce(length(reason), 0) + length(details::text)), 0)"
                    + " FROM task_event WHERE task_id = ?")
            .param(UUID.fromString(id))
            .query(Long.class)
            .single();
    assertThat(stored).isLessThan(65_536 + 20_000);
    assertThat(inEvents).isLessThan(20_000);
    Api.Response result = api.get("/api/v1/tasks/" + id + "/result");
    assertProblem(result, 409, "task-failed");
  }

  @Test
  void aResultOverTheBoundFailsTheTaskNamingItUnread() {
    String id =
        api.post(
                "/api/v1/tasks",
                Tasks.function("def task():\n    return 'y' * 9_000_000\n", "task").build())
            .json()
            .get("id")
            .asString();
    JsonNode task = api.awaitEnd(id, WAIT);

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("FAILED");
    assertThat(task.get("status_reason").asString())
        .contains("result.json")
        .contains("batch-executor.local.max-result-size")
        .contains("8388608 bytes");
    assertThat(task.get("attempts").asInt()).as("not retried").isEqualTo(1);
    assertThat(task.get("result").isNull()).isTrue();
  }

  @Test
  void aTaskWithoutAnErrorHasNoneToServe() {
    String id = api.post("/api/v1/tasks", Tasks.add().build()).json().get("id").asString();
    assertThat(api.awaitEnd(id, WAIT).get("status").asString()).isEqualTo("SUCCEEDED");

    assertProblem(api.get("/api/v1/tasks/" + id + "/error"), 409, "no-error");
    assertProblem(
        api.as(Api.INTRUDER).get("/api/v1/tasks/" + id + "/error"), 404, "task-not-found");
  }
}
