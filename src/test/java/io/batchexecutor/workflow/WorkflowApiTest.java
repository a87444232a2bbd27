package io.batchexecutor.workflow;

import static io.batchexecutor.workflow.Workflows.ref;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.LockWaits;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.SettableClock;
import io.batchexecutor.support.Tasks;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskError;
import io.batchexecutor.task.TaskRepository;
import io.batchexecutor.task.TaskStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** The workflow API without running anything: what is accepted, what is refused and why. */
@ServiceTest
class WorkflowApiTest {

  static final String ID = "def f(*a):\n    return a\n";

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;
  @Autowired TaskRepository tasks;
  @Autowired DataSource dataSource;
  @Autowired SettableClock clock;
  Api api;

  @BeforeEach
  void setUp() {
    api = new Api(port);
  }

  @Test
  void aDagIsAcceptedWithEveryTaskAndWhatItWaitsFor() {
    Api.Response response =
        api.post(
            "/api/v1/workflows",
            Workflows.named("diamond")
                .task("a", ID, "f", List.of(1))
                .task("b", ID, "f", List.of(ref("a")))
                .task("c", ID, "f", List.of(Map.of("nested", List.of(ref("a")))))
                .task("d", ID, "f", List.of(ref("b"), ref("c")))
                .build());

    assertThat(response.status()).as(response.text()).isEqualTo(202);
    JsonNode workflow = response.json();
    String id = workflow.get("id").asString();
    assertThat(response.header("Location")).contains("/api/v1/workflows/" + id);
    assertThat(workflow.get("status").asString()).isEqualTo("RUNNING");
    JsonNode tasks = workflow.get("tasks");
    assertThat(tasks.get("a").get("status").asString()).isEqualTo("QUEUED");
    assertThat(tasks.get("b").get("status").asString()).isEqualTo("WAITING");
    assertThat(tasks.get("b").get("name").asString()).isEqualTo("add");
    assertThat(tasks.get("d").get("depends_on").toString()).isEqualTo("[\"b\",\"c\"]");
    assertThat(tasks.get("d").get("status_reason").asString()).isEqualTo("waiting for b, c");
    JsonNode b = api.get("/api/v1/tasks/" + tasks.get("b").get("id").asString()).json();
    assertThat(b.get("workflow_id").asString()).isEqualTo(id);
    assertThat(b.get("workflow_key").asString()).isEqualTo("b");
    assertThat(b.get("depends_on").get("a").asString())
        .isEqualTo(tasks.get("a").get("id").asString());
    assertThat(api.get("/api/v1/workflows/" + id).json().get("tasks").size()).isEqualTo(4);
  }

  @Test
  void aCycleIsRefusedNamingItAndNothingIsStored() {
    long before = rows();

    Api.Response response =
        api.post(
            "/api/v1/workflows",
            Workflows.named("loop")
                .task("load", ID, "f", List.of())
                .task("train", ID, "f", List.of(ref("load"), ref("score")))
                .task("score", ID, "f", List.of(ref("train")))
                .build());

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().get("detail").asString())
        .contains("cycle")
        .containsAnyOf("train → score → train", "score → train → score");
    assertThat(rows()).isEqualTo(before);
  }

  @Test
  void aTaskReferringToItselfIsACycle() {
    Api.Response response =
        api.post(
            "/api/v1/workflows",
            Workflows.named("self").task("a", ID, "f", List.of(ref("a"))).build());

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().get("detail").asString()).contains("a → a");
  }

  @Test
  void aReferenceToAMissingKeyIsRefusedNamingWhereItStands() {
    Api.Response response =
        api.post(
            "/api/v1/workflows",
            Workflows.named("typo")
                .task("train", ID, "f", List.of())
                .task(
                    "score",
                    Tasks.function(ID, "f").set("kwargs", Map.of("model", ref("trian"))).build())
                .build());

    assertThat(response.status()).isEqualTo(400);
    JsonNode error = response.json().get("errors").get(0);
    assertThat(error.get("field").asString()).isEqualTo("tasks.score.kwargs.model");
    assertThat(error.get("message").asString()).contains("'trian'").contains("not a task");
  }

  @Test
  void aTaskWaitsForTheTasksItsAfterNamesAndIsQueuedWhenTheySucceed() {
    JsonNode workflow =
        api.post(
                "/api/v1/workflows",
                Workflows.named("after")
                    .task("a", ID, "f", List.of(1))
                    .task("b", Tasks.function(ID, "f").set("after", List.of("a")).build())
                    .build())
            .json();
    JsonNode b = workflow.get("tasks").get("b");
    assertThat(b.get("status").asString()).isEqualTo("WAITING");
    assertThat(b.get("depends_on").toString()).isEqualTo("[\"a\"]");
    UUID a = UUID.fromString(workflow.get("tasks").get("a").get("id").asString());
    jdbc.sql("UPDATE task SET status = 'RUNNING' WHERE id = :id").param("id", a).update();
    Task first = tasks.find(a).orElseThrow();
    first.succeed("file:///nowhere/result.json", 0, clock.instant());
    assertThat(tasks.update(first)).isTrue();

    JsonNode after = api.get("/api/v1/tasks/" + b.get("id").asString()).json();
    assertThat(after.get("status").asString()).isEqualTo("QUEUED");
  }

  @Test
  void aTaskWhoseAfterFailsIsCancelledNamingIt() {
    JsonNode workflow =
        api.post(
                "/api/v1/workflows",
                Workflows.named("after-fails")
                    .task("a", ID, "f", List.of(1))
                    .task("b", Tasks.function(ID, "f").set("after", List.of("a")).build())
                    .build())
            .json();
    UUID a = UUID.fromString(workflow.get("tasks").get("a").get("id").asString());
    jdbc.sql("UPDATE task SET status = 'RUNNING' WHERE id = :id").param("id", a).update();
    Task first = tasks.find(a).orElseThrow();
    first.fail("broken", new TaskError("X", "broken", null), 1, null, clock.instant());
    assertThat(tasks.update(first)).isTrue();

    JsonNode b =
        api.get("/api/v1/tasks/" + workflow.get("tasks").get("b").get("id").asString()).json();
    assertThat(b.get("status").asString()).isEqualTo("CANCELLED");
    assertThat(b.get("status_reason").asString()).contains("a");
  }

  @Test
  void anAfterNamingAMissingKeyOrMakingACycleIsRefusedNamingIt() {
    long before = rows();
    Api.Response missing =
        api.post(
            "/api/v1/workflows",
            Workflows.named("typo")
                .task("a", ID, "f", List.of())
                .task("b", Tasks.function(ID, "f").set("after", List.of("a", "c")).build())
                .build());
    assertThat(missing.status()).isEqualTo(400);
    JsonNode error = missing.json().get("errors").get(0);
    assertThat(error.get("field").asString()).isEqualTo("tasks.b.after[1]");
    assertThat(error.get("message").asString()).contains("'c'").contains("not a task");

    Api.Response cycle =
        api.post(
            "/api/v1/workflows",
            Workflows.named("loop")
                .task("a", ID, "f", List.of(ref("b")))
                .task("b", Tasks.function(ID, "f").set("after", List.of("a")).build())
                .build());
    assertThat(cycle.status()).isEqualTo(400);
    JsonNode loop = cycle.json().get("errors").get(0);
    assertThat(loop.get("field").asString()).isEqualTo("tasks.b.after");
    assertThat(loop.get("message").asString()).contains("cycle");

    Api.Response alone =
        api.post("/api/v1/tasks", Tasks.function(ID, "f").set("after", List.of("a")).build());
    assertThat(alone.status()).isEqualTo(400);
    assertThat(alone.json().get("errors").get(0).get("field").asString()).isEqualTo("after");
    assertThat(rows()).isEqualTo(before);
  }

  @Test
  void moreThanAThousandTasksAreRefused() {
    Workflows big = Workflows.named("big");
    for (int i = 0; i < 1001; i++) {
      big.task("t" + i, ID, "f", List.of());
    }

    Api.Response response = api.post("/api/v1/workflows", big.build());

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().get("detail").asString()).contains("at most 1000 tasks");
  }

  @Test
  void anInvalidTaskIsNamedByItsKeyAndField() {
    Api.Response response =
        api.post(
            "/api/v1/workflows",
            Workflows.named("bad")
                .task("ok", ID, "f", List.of())
                .task("broken", Tasks.function(ID, "not a name").executor("vcpu", -1).build())
                .build());

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().get("errors").valueStream().map(e -> e.get("field").asString()))
        .contains("tasks.broken.function.name", "tasks.broken.executor.vcpu");
  }

  @Test
  void aMalformedReferenceAndAReferenceInASingleTaskAreRefused() {
    Api.Response malformed =
        api.post(
            "/api/v1/workflows",
            Workflows.named("m")
                .task("a", ID, "f", List.of())
                .task("b", ID, "f", List.of(Map.of("$task", "a", "extra", 1)))
                .build());
    Api.Response single =
        api.post("/api/v1/tasks", Tasks.function(ID, "f").set("args", List.of(ref("a"))).build());

    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.json().get("errors").get(0).get("field").asString())
        .isEqualTo("tasks.b.args[0]");
    assertThat(single.status()).isEqualTo(400);
    assertThat(single.json().get("errors").get(0).get("message").asString())
        .contains("/api/v1/workflows");
  }

  @Test
  void anotherClientGets404ForAWorkflow() {
    String id =
        api.post("/api/v1/workflows", Workflows.named("mine").task("a", ID, "f", List.of()).build())
            .json()
            .get("id")
            .asString();

    Api intruder = api.as(Api.INTRUDER);
    assertThat(intruder.get("/api/v1/workflows/" + id).status()).isEqualTo(404);
    assertThat(api.get("/api/v1/workflows/not-a-uuid").json().get("type").asString())
        .endsWith("workflow-not-found");
    assertThat(intruder.post("/api/v1/workflows/" + id + "/cancel", "").status()).isEqualTo(404);
    assertThat(api.get("/api/v1/workflows/" + id).status()).isEqualTo(200);
  }

  @Test
  void cancellingAWaitingWorkflowCancelsEveryTaskAtOnce() {
    String id = aThenB("c");

    Api.Response cancelled = api.post("/api/v1/workflows/" + id + "/cancel", "");

    assertThat(cancelled.status()).isEqualTo(202);
    JsonNode workflow = cancelled.json();
    assertThat(workflow.get("status").asString()).isEqualTo("CANCELLED");
    assertThat(workflow.get("tasks").get("a").get("status").asString()).isEqualTo("CANCELLED");
    assertThat(workflow.get("tasks").get("b").get("status").asString()).isEqualTo("CANCELLED");
  }

  @Test
  void aHeldAnswerComesWhenTheWorkflowEnds() {
    String id = aThenB("held");
    assertThat(
            api.heldUntilTheWaitIsOver(
                    "/api/v1/workflows/" + id + "?wait=60", clock, Duration.ofSeconds(60))
                .json()
                .get("status")
                .asString())
        .as("as it is when the wait is over")
        .isEqualTo("RUNNING");
    Api.Response answer =
        api.heldUntil(
            "/api/v1/workflows/" + id + "?wait=30",
            () -> api.post("/api/v1/workflows/" + id + "/cancel", ""));

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().get("status").asString()).isEqualTo("CANCELLED");
    assertThat(answer.json().get("tasks").get("b").get("status").asString()).isEqualTo("CANCELLED");
    assertThat(api.as(Api.INTRUDER).get("/api/v1/workflows/" + id + "?wait=5").status())
        .isEqualTo(404);
  }

  @Test
  void aRepeatedSubmissionWithTheSameIdempotencyKeyReturnsTheFirstWorkflow() {
    Map<String, Object> body =
        Workflows.named("once")
            .task("a", ID, "f", List.of())
            .task("b", ID, "f", List.of(ref("a")))
            .build();
    String key = "wf-" + java.util.UUID.randomUUID();

    Api.Response first = api.post("/api/v1/workflows", body, "Idempotency-Key", key);
    long after = rows();
    Api.Response again = api.post("/api/v1/workflows", body, "Idempotency-Key", key);
    Api.Response other =
        api.post(
            "/api/v1/workflows",
            Workflows.named("other").task("a", ID, "f", List.of()).build(),
            "Idempotency-Key",
            key);

    assertThat(first.status()).isEqualTo(202);
    assertThat(first.header("Idempotent-Replayed")).contains("false");
    assertThat(again.status()).isEqualTo(202);
    assertThat(again.header("Idempotent-Replayed")).contains("true");
    assertThat(again.json().get("id").asString()).isEqualTo(first.json().get("id").asString());
    assertThat(again.json().get("tasks").get("b").get("id").asString())
        .isEqualTo(first.json().get("tasks").get("b").get("id").asString());
    assertThat(other.status()).isEqualTo(409);
    assertThat(rows()).as("neither repeat stored anything").isEqualTo(after);
  }

  @Test
  void workflowsAreListedNewestFirstAndOnlyToTheirOwner() {
    String older =
        api.post(
                "/api/v1/workflows", Workflows.named("older").task("a", ID, "f", List.of()).build())
            .json()
            .get("id")
            .asString();
    String newer =
        api.post(
                "/api/v1/workflows", Workflows.named("newer").task("a", ID, "f", List.of()).build())
            .json()
            .get("id")
            .asString();

    JsonNode page = api.get("/api/v1/workflows?size=2").json();

    assertThat(page.get("items").valueStream().map(w -> w.get("id").asString()).toList())
        .containsExactly(newer, older);
    assertThat(page.get("total").asLong()).isGreaterThanOrEqualTo(2);
    assertThat(page.get("total_exact").asBoolean()).isTrue();
    JsonNode rest =
        api.get(
                "/api/v1/workflows?size=1&cursor="
                    + api.get("/api/v1/workflows?size=1").json().get("next_cursor").asString())
            .json();
    assertThat(rest.get("items").get(0).get("id").asString()).isEqualTo(older);
    assertThat(page.get("items").get(0).get("task_counts").get("QUEUED").asLong()).isEqualTo(1);
    assertThat(api.as(Api.INTRUDER).get("/api/v1/workflows").json().get("items").valueStream())
        .noneMatch(w -> w.get("id").asString().equals(newer));
    assertThat(api.get("/api/v1/workflows?size=0").status()).isEqualTo(400);
  }

  /** A workflow of two tasks, b taking a's result. */
  @Test
  void aWorkflowCancelledWhileItsFirstTaskFailsEndsWithoutADeadlock() throws Exception {
    for (int round = 0; round < 5; round++) {
      Workflows fan = Workflows.named("fan").task("first", ID, "f", List.of());
      for (int i = 0; i < 150; i++) {
        fan.task("w" + i, ID, "f", List.of(ref("first")));
      }
      JsonNode workflow = api.post("/api/v1/workflows", fan.build()).json();
      String id = workflow.get("id").asString();
      UUID first = UUID.fromString(workflow.get("tasks").get("first").get("id").asString());
      jdbc.sql("UPDATE task SET status = 'RUNNING' WHERE id = :id").param("id", first).update();
      Task failing = tasks.find(first).orElseThrow();
      failing.fail("broken", new TaskError("X", "broken", null), 1, null, clock.instant());
      CyclicBarrier together = new CyclicBarrier(2);
      ExecutorService two = Executors.newFixedThreadPool(2);
      try {
        // the task's end cancels its dependants while a client cancels them one by one
        Future<Boolean> ended =
            two.submit(
                () -> {
                  together.await();
                  return tasks.update(failing);
                });
        Future<Api.Response> cancelled =
            two.submit(
                () -> {
                  together.await();
                  return api.post("/api/v1/workflows/" + id + "/cancel", "");
                });

        assertThat(ended.get(60, TimeUnit.SECONDS)).isTrue();
        Api.Response answer = cancelled.get(60, TimeUnit.SECONDS);
        assertThat(answer.status()).as(answer.text()).isEqualTo(202);
      } finally {
        two.shutdownNow();
      }
      JsonNode after = api.get("/api/v1/workflows/" + id).json();
      assertThat(after.get("task_counts").toString()).isEqualTo("{\"FAILED\":1,\"CANCELLED\":150}");
    }
  }

  @Test
  void aTaskEndRolledBackToBreakADeadlockIsWrittenAgain() throws Exception {
    JsonNode workflow =
        api.post(
                "/api/v1/workflows",
                Workflows.named("knot")
                    .task("first", ID, "f", List.of())
                    .task("next", ID, "f", List.of(ref("first")))
                    .build())
            .json();
    UUID first = UUID.fromString(workflow.get("tasks").get("first").get("id").asString());
    UUID next = UUID.fromString(workflow.get("tasks").get("next").get("id").asString());
    jdbc.sql("UPDATE task SET status = 'RUNNING' WHERE id = :id").param("id", first).update();
    Task failing = tasks.find(first).orElseThrow();
    failing.fail("broken", new TaskError("X", "broken", null), 1, null, clock.instant());
    // the write holds 'first' and waits for 'next', which the other session holds; that session
    // then asks for 'first'
    boolean written =
        LockWaits.deadlocked(
            dataSource,
            "SELECT 1 FROM task WHERE id = '" + next + "' FOR UPDATE",
            "SELECT 1 FROM task WHERE id = '" + first + "' FOR UPDATE",
            () -> tasks.update(failing));

    assertThat(written).isTrue();
    assertThat(tasks.find(first).orElseThrow().status()).isEqualTo(TaskStatus.FAILED);
    assertThat(tasks.find(next).orElseThrow().status()).isEqualTo(TaskStatus.CANCELLED);
  }

  private String aThenB(String name) {
    return api.post(
            "/api/v1/workflows",
            Workflows.named(name)
                .task("a", ID, "f", List.of())
                .task("b", ID, "f", List.of(ref("a")))
                .build())
        .json()
        .get("id")
        .asString();
  }

  private long rows() {
    Map<String, Object> counts = new LinkedHashMap<>();
    counts.put("w", jdbc.sql("SELECT count(*) FROM workflow").query(Long.class).single());
    counts.put("t", jdbc.sql("SELECT count(*) FROM task").query(Long.class).single());
    return (Long) counts.get("w") * 1_000_000 + (Long) counts.get("t");
  }
}
