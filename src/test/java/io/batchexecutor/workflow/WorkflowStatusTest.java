package io.batchexecutor.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * A workflow's status, task counts and end follow from its tasks — the same in a list (filtered and
 * counted by the database) as for one workflow. The pipeline is off: each case puts its tasks where
 * it needs them.
 */
@ServiceTest
class WorkflowStatusTest {

  static final String ID = "def f(*a):\n    return a\n";
  static final OffsetDateTime EARLY = OffsetDateTime.of(2026, 1, 1, 10, 0, 0, 0, ZoneOffset.UTC);
  static final OffsetDateTime LATE = EARLY.plusMinutes(5);

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;
  Api api;

  @BeforeEach
  void setUp() {
    api = new Api(port);
  }

  /** One case: the tasks' statuses ({@code +} marks a pending cancel), and what should follow. */
  record Case(String expected, boolean workflowCancelled, String... tasks) {}

  static final List<Case> CASES =
      List.of(
          new Case("RUNNING", false, "QUEUED", "WAITING"),
          new Case("SUCCEEDED", false, "SUCCEEDED", "SUCCEEDED"),
          new Case("RUNNING", false, "FAILED", "RUNNING"),
          new Case("FAILED", false, "FAILED", "RUNNING+", "WAITING+"),
          new Case("FAILED", false, "SUCCEEDED", "FAILED", "CANCELLED"),
          new Case("CANCELLED", false, "SUCCEEDED", "CANCELLED"),
          new Case("RUNNING", false, "CANCELLED", "RUNNING+"),
          new Case("CANCELLED", true, "CANCELLED", "RUNNING+"),
          new Case("RUNNING", true, "SUCCEEDED", "SUBMITTED"));

  @Test
  void theStatusFollowsFromTheTasksInEveryCase() {
    for (Case c : CASES) {
      JsonNode workflow = api.get("/api/v1/workflows/" + arrange(c)).json();

      assertThat(workflow.get("status").asString())
          .as("tasks %s, cancelled %s", List.of(c.tasks()), c.workflowCancelled())
          .isEqualTo(c.expected());
    }
  }

  @Test
  void countsAndTheEndFollowFromTheTasks() {
    UUID done = arrange(new Case("FAILED", false, "SUCCEEDED", "SUCCEEDED", "FAILED"));
    UUID running = arrange(new Case("RUNNING", false, "SUCCEEDED", "RUNNING"));

    JsonNode finished = api.get("/api/v1/workflows/" + done).json();
    JsonNode unfinished = api.get("/api/v1/workflows/" + running).json();

    assertThat(finished.get("task_counts").toString())
        .as("in the order of a task's life")
        .isEqualTo("{\"SUCCEEDED\":2,\"FAILED\":1}");
    assertThat(OffsetDateTime.parse(finished.get("finished_at").asString()).toInstant())
        .isEqualTo(LATE.toInstant());
    assertThat(unfinished.get("finished_at").isNull()).isTrue();
  }

  @Test
  void aListIsFilteredByStatusCountedAndSummedUp() {
    List<UUID> failed = new ArrayList<>();
    List<UUID> others = new ArrayList<>();
    for (Case c : CASES) {
      (c.expected().equals("FAILED") ? failed : others).add(arrange(c));
    }

    JsonNode page = api.get("/api/v1/workflows?status=FAILED&size=100").json();
    List<String> listed = page.get("items").valueStream().map(w -> w.get("id").asString()).toList();

    assertThat(listed).containsAll(failed.stream().map(UUID::toString).toList());
    assertThat(listed).doesNotContainAnyElementsOf(others.stream().map(UUID::toString).toList());
    assertThat(page.get("items").valueStream())
        .allMatch(w -> w.get("status").asString().equals("FAILED"));
    assertThat(page.get("total").isNull()).as("not counted with a status").isTrue();
    assertThat(page.get("next_cursor").isNull()).isTrue();
    JsonNode item = page.get("items").get(0);
    assertThat(item.has("tasks")).as("a list sums each workflow up").isFalse();
    assertThat(item.get("task_counts").get("FAILED").asLong()).isEqualTo(1);
    assertThat(api.get("/api/v1/workflows?status=BOGUS").status()).isEqualTo(400);
  }

  /** Submits a workflow of independent tasks and puts them in the case's statuses. */
  private UUID arrange(Case c) {
    Workflows builder = Workflows.named("status");
    for (int i = 0; i < c.tasks().length; i++) {
      builder.task("t" + i, ID, "f", List.of(i));
    }
    JsonNode workflow = api.post("/api/v1/workflows", builder.build()).json();
    UUID id = UUID.fromString(workflow.get("id").asString());
    for (int i = 0; i < c.tasks().length; i++) {
      String status = c.tasks()[i].replace("+", "");
      boolean cancelPending = c.tasks()[i].endsWith("+");
      boolean ended = List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(status);
      jdbc.sql(
              """
              UPDATE task SET status = :status, finished_at = :finished,
                cancel_requested_at = CASE WHEN :pending THEN now() END
              WHERE id = :id
              """)
          .param("status", status)
          .param("finished", ended ? (i == 0 ? LATE : EARLY) : null)
          .param("pending", cancelPending)
          .param("id", UUID.fromString(workflow.get("tasks").get("t" + i).get("id").asString()))
          .update();
    }
    if (c.workflowCancelled()) {
      jdbc.sql("UPDATE workflow SET cancel_requested_at = now() WHERE id = :id")
          .param("id", id)
          .update();
    }
    return id;
  }
}
