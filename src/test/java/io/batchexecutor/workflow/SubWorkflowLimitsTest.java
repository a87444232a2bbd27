package io.batchexecutor.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.SettableClock;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskRepository;
import io.batchexecutor.task.TaskStatus;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A returned sub-workflow's tasks count against its client's limits as a posted workflow's do. */
@ServiceTest
@TestPropertySource(properties = "batch-executor.clients.tester.max-unfinished-tasks=3")
class SubWorkflowLimitsTest {

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;
  @Autowired TaskRepository tasks;
  @Autowired SettableClock clock;
  @Autowired ExpandSubWorkflow expand;
  @Autowired JsonMapper json;
  Api api;

  @BeforeEach
  void setUp() {
    api = new Api(port);
    clock.advance(Duration.ofMinutes(1)); // this instance's estimate counted again
  }

  @Test
  void aSubWorkflowOverTheClientsUnfinishedTasksFailsTheReturningTask() {
    JsonNode workflow =
        api.post(
                "/api/v1/workflows",
                Workflows.named("crowded").task("fan", SubWorkflowTest.ID, "f", List.of()).build())
            .json();
    UUID fan = UUID.fromString(workflow.get("tasks").get("fan").get("id").asString());
    jdbc.sql("UPDATE task SET status = 'RUNNING' WHERE id = :id").param("id", fan).update();
    Task returning = tasks.find(fan).orElseThrow();

    // one unfinished (the returning task) and three more: over 3
    expand.returned(
        returning,
        json.readTree(
            """
            {"tasks": {"a": {"function": {"source": "def f():\\n    return 1\\n", "name": "f"}},
                       "b": {"function": {"source": "def f():\\n    return 1\\n", "name": "f"}}},
             "output": [{"$task": "a"}, {"$task": "b"}]}"""),
        0,
        clock.instant());
    assertThat(tasks.update(returning)).isTrue();

    Task failed = tasks.find(fan).orElseThrow();
    assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(failed.error().type()).isEqualTo("SubWorkflowRefused");
    assertThat(failed.statusReason()).contains("3");
    assertThat(
            jdbc.sql("SELECT count(*) FROM task WHERE workflow_id = :w")
                .param("w", UUID.fromString(workflow.get("id").asString()))
                .query(Integer.class)
                .single())
        .isEqualTo(1);
  }
}
