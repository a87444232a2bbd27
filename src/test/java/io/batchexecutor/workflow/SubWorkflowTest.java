package io.batchexecutor.workflow;

import static io.batchexecutor.workflow.Workflows.ref;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.SettableClock;
import io.batchexecutor.task.CancelRequests;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskObjects;
import io.batchexecutor.task.TaskRepository;
import io.batchexecutor.task.TaskStatus;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A returned sub-workflow's tasks join the workflow with the returning task's change, in one
 * transaction, once; the returning task takes the output's result when they succeeded. No engine:
 * the tasks' ends are written as a backend writes them.
 */
@ServiceTest
class SubWorkflowTest {

  static final String ID = "def f(*a):\n    return a\n";

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;
  @Autowired TaskRepository tasks;
  @Autowired SettableClock clock;
  @Autowired ExpandSubWorkflow expand;
  @Autowired JsonMapper json;
  @Autowired CancelRequests cancels;
  @Autowired ObjectStores stores;
  Api api;

  @BeforeEach
  void setUp() {
    api = new Api(port);
  }

  @Test
  void aPostedKeyWithASlashIsRefused() {
    Api.Response response =
        api.post(
            "/api/v1/workflows",
            Workflows.named("slash").task("train/0", ID, "f", List.of()).build());

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.text()).contains("tasks.train/0").contains("'/' is reserved");
  }

  @Test
  void theChildrenGoInWithTheReturningTasksChangeOnceAndItTakesTheOutputsResult() {
    JsonNode workflow =
        api.post(
                "/api/v1/workflows",
                Workflows.named("grows")
                    .task("fan", ID, "f", List.of())
                    .task("after", ID, "f", List.of(ref("fan")))
                    .build())
            .json();
    UUID fan = UUID.fromString(workflow.get("tasks").get("fan").get("id").asString());
    UUID workflowId = UUID.fromString(workflow.get("id").asString());
    jdbc.sql("UPDATE task SET status = 'RUNNING' WHERE id = :id").param("id", fan).update();
    Task returning = tasks.find(fan).orElseThrow();
    Task replayed = tasks.find(fan).orElseThrow(); // the same change, made again after a crash
    JsonNode subWorkflow =
        json.readTree(
            """
            {"tasks": {"0": {"function": {"source": "def f(*a):\\n    return a\\n", "name": "f"},
                             "args": [0]},
                       "sum": {"function": {"source": "def f(*a):\\n    return a\\n", "name": "f"},
                               "args": [{"$task": "0"}]}},
             "output": {"$task": "sum"}}""");

    expand.returned(returning, subWorkflow, 0, clock.instant());
    assertThat(tasks.update(returning)).isTrue();
    expand.returned(replayed, subWorkflow, 0, clock.instant());
    assertThat(tasks.update(replayed)).as("a replay finds the task changed").isFalse();

    assertThat(keys(workflowId)).containsExactlyInAnyOrder("fan", "after", "fan/0", "fan/sum");
    Task waiting = tasks.find(fan).orElseThrow();
    assertThat(waiting.status()).isEqualTo(TaskStatus.WAITING);
    assertThat(waiting.dependsOn().keySet()).containsExactly("fan/0", "fan/sum");
    Task sum = task(workflowId, "fan/sum");
    assertThat(sum.dependsOn().keySet()).containsExactly("fan/0");
    assertThat(sum.spec().args().toString()).isEqualTo("[{\"$task\":\"fan/0\"}]");
    assertThat(waiting.subWorkflowOutput()).isEqualTo(sum.id());

    succeed(task(workflowId, "fan/0"), "mem://zero/result.json");
    assertThat(tasks.find(fan).orElseThrow().status()).isEqualTo(TaskStatus.WAITING);
    succeed(task(workflowId, "fan/sum"), "mem://sum/result.json");

    Task done = tasks.find(fan).orElseThrow();
    assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
    stores
        .primary()
        .put(
            done.settings().s3BucketName(),
            TaskObjects.key(done, TaskObjects.STDOUT),
            "its own\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(api.get("/api/v1/tasks/" + fan + "/logs?stream=stdout").text())
        .as("the returning task's own stdout, not its output task's")
        .isEqualTo("its own\n");
    assertThat(done.resultPointer()).isEqualTo("mem://sum/result.json");
    assertThat(done.resultDigests())
        .containsEntry("result.json", "digest-of-mem://sum/result.json");
    assertThat(task(workflowId, "after").status()).isEqualTo(TaskStatus.QUEUED);
  }

  @Test
  void aFailedChildFailsTheReturningTaskAndCancelsItsDependants() {
    JsonNode workflow =
        api.post(
                "/api/v1/workflows",
                Workflows.named("breaks")
                    .task("fan", ID, "f", List.of())
                    .task("after", ID, "f", List.of(ref("fan")))
                    .build())
            .json();
    UUID fan = UUID.fromString(workflow.get("tasks").get("fan").get("id").asString());
    UUID workflowId = UUID.fromString(workflow.get("id").asString());
    jdbc.sql("UPDATE task SET status = 'RUNNING' WHERE id = :id").param("id", fan).update();
    Task returning = tasks.find(fan).orElseThrow();
    expand.returned(
        returning,
        json.readTree(
            """
            {"tasks": {"a": {"function": {"source": "def f():\\n    return 1\\n", "name": "f"}}},
             "output": [{"$task": "a"}]}"""),
        0,
        clock.instant());
    assertThat(tasks.update(returning)).isTrue();
    assertThat(keys(workflowId)).contains("fan/a", "fan/$output");

    Task a = task(workflowId, "fan/a");
    jdbc.sql("UPDATE task SET status = 'RUNNING' WHERE id = :id").param("id", a.id()).update();
    a = tasks.find(a.id()).orElseThrow();
    a.fail("broken", null, 65, null, clock.instant());
    assertThat(tasks.update(a)).isTrue();

    Task failed = tasks.find(fan).orElseThrow();
    assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(failed.statusReason()).isEqualTo("its sub-workflow's task 'fan/a' FAILED");
    assertThat(task(workflowId, "fan/$output").status()).isEqualTo(TaskStatus.CANCELLED);
    assertThat(task(workflowId, "after").status()).isEqualTo(TaskStatus.CANCELLED);
  }

  @Test
  void aFailedChildCancelsItsSiblings() {
    JsonNode workflow =
        api.post(
                "/api/v1/workflows",
                Workflows.named("siblings").task("fan", ID, "f", List.of()).build())
            .json();
    UUID fan = UUID.fromString(workflow.get("tasks").get("fan").get("id").asString());
    UUID workflowId = UUID.fromString(workflow.get("id").asString());
    jdbc.sql("UPDATE task SET status = 'RUNNING' WHERE id = :id").param("id", fan).update();
    Task returning = tasks.find(fan).orElseThrow();
    expand.returned(
        returning,
        json.readTree(
            """
            {"tasks": {"x": {"function": {"source": "def f():\\n    return 1\\n", "name": "f"}},
                       "y": {"function": {"source": "def f():\\n    return 1\\n", "name": "f"}},
                       "z": {"function": {"source": "def f():\\n    return 1\\n", "name": "f"}}},
             "output": [{"$task": "x"}, {"$task": "y"}]}"""),
        0,
        clock.instant());
    assertThat(tasks.update(returning)).isTrue();
    jdbc.sql("UPDATE task SET status = 'RUNNING' WHERE workflow_key = 'fan/y' AND workflow_id = :w")
        .param("w", workflowId)
        .update();

    Task x = task(workflowId, "fan/x");
    jdbc.sql("UPDATE task SET status = 'RUNNING' WHERE id = :id").param("id", x.id()).update();
    x = tasks.find(x.id()).orElseThrow();
    x.fail("broken", null, 65, null, clock.instant());
    assertThat(tasks.update(x)).isTrue();

    assertThat(tasks.find(fan).orElseThrow().status()).isEqualTo(TaskStatus.FAILED);
    assertThat(task(workflowId, "fan/$output").status()).isEqualTo(TaskStatus.CANCELLED);
    assertThat(task(workflowId, "fan/y").cancelRequested()).as("running sibling").isTrue();
    assertThat(task(workflowId, "fan/z").cancelRequested()).as("queued sibling").isTrue();
  }

  @Test
  void cancellingATaskThatWaitsForItsSubWorkflowCancelsThatSubWorkflowsTasks() {
    JsonNode workflow =
        api.post(
                "/api/v1/workflows",
                Workflows.named("stopped")
                    .task("fan", ID, "f", List.of())
                    .task("other", ID, "f", List.of())
                    .build())
            .json();
    UUID fan = UUID.fromString(workflow.get("tasks").get("fan").get("id").asString());
    UUID workflowId = UUID.fromString(workflow.get("id").asString());
    jdbc.sql("UPDATE task SET status = 'RUNNING' WHERE id = :id").param("id", fan).update();
    Task returning = tasks.find(fan).orElseThrow();
    expand.returned(
        returning,
        json.readTree(
            """
            {"tasks": {"a": {"function": {"source": "def f():\\n    return 1\\n", "name": "f"}},
                       "b": {"function": {"source": "def f(x):\\n    return x\\n", "name": "f"},
                             "args": [{"$task": "a"}]}},
             "output": {"$task": "b"}}"""),
        0,
        clock.instant());
    assertThat(tasks.update(returning)).isTrue();

    Api.Response cancelled = api.post("/api/v1/tasks/" + fan + "/cancel", "");

    assertThat(cancelled.status()).as(cancelled.text()).isLessThan(300);
    assertThat(tasks.find(fan).orElseThrow().status()).isEqualTo(TaskStatus.CANCELLED);
    assertThat(task(workflowId, "fan/b").status()).isEqualTo(TaskStatus.CANCELLED);
    Task a = task(workflowId, "fan/a");
    assertThat(a.status() == TaskStatus.CANCELLED || a.cancelRequested())
        .as("fan/a: " + a.status())
        .isTrue();
    assertThat(task(workflowId, "other").status()).isEqualTo(TaskStatus.QUEUED);
  }

  @Test
  void aTaskCancelledWhileItRanStartsNoneOfItsSubWorkflow() {
    JsonNode workflow =
        api.post(
                "/api/v1/workflows",
                Workflows.named("late").task("fan", ID, "f", List.of()).build())
            .json();
    UUID fan = UUID.fromString(workflow.get("tasks").get("fan").get("id").asString());
    jdbc.sql("UPDATE task SET status = 'RUNNING', cancel_requested_at = :at WHERE id = :id")
        .param("at", java.sql.Timestamp.from(clock.instant()))
        .param("id", fan)
        .update();
    Task returning = tasks.find(fan).orElseThrow();

    expand.returned(
        returning,
        json.readTree(
            """
            {"tasks": {"a": {"function": {"source": "def f():\\n    return 1\\n", "name": "f"}}},
             "output": {"$task": "a"}}"""),
        0,
        clock.instant());
    assertThat(tasks.update(returning)).isTrue();

    assertThat(tasks.find(fan).orElseThrow().status()).isEqualTo(TaskStatus.CANCELLED);
    assertThat(keys(UUID.fromString(workflow.get("id").asString()))).containsExactly("fan");
  }

  static final String TWO =
      """
      {"tasks": {"a": {"function": {"source": "def f():\\n    return 1\\n", "name": "f"}},
                 "b": {"function": {"source": "def f(x):\\n    return x\\n", "name": "f"},
                       "args": [{"$task": "a"}]}},
       "output": {"$task": "b"}}""";

  @Test
  void aCancelRequestThatCameAfterTheTaskWasReadStartsNoneOfItsSubWorkflow() {
    JsonNode workflow =
        api.post(
                "/api/v1/workflows",
                Workflows.named("raced")
                    .task("fan", ID, "f", List.of())
                    .task("after", ID, "f", List.of(ref("fan")))
                    .build())
            .json();
    UUID fan = UUID.fromString(workflow.get("tasks").get("fan").get("id").asString());
    UUID workflowId = UUID.fromString(workflow.get("id").asString());
    jdbc.sql("UPDATE task SET status = 'RUNNING' WHERE id = :id").param("id", fan).update();
    Task returning = tasks.find(fan).orElseThrow(); // read when its container exited
    assertThat(cancels.request(fan, clock.instant())).isTrue();

    expand.returned(returning, json.readTree(TWO), 0, clock.instant());
    tasks.update(returning);

    Task cancelled = tasks.find(fan).orElseThrow();
    assertThat(cancelled.status()).isEqualTo(TaskStatus.CANCELLED);
    assertThat(cancelled.dependsOn()).isEmpty();
    assertThat(keys(workflowId)).containsExactlyInAnyOrder("fan", "after");
    assertThat(task(workflowId, "after").status()).isEqualTo(TaskStatus.CANCELLED);
  }

  @Test
  void aCancelRequestOnATaskThatNowWaitsForItsSubWorkflowEndsItAndItsTasks() {
    JsonNode workflow =
        api.post(
                "/api/v1/workflows",
                Workflows.named("raced-back").task("fan", ID, "f", List.of()).build())
            .json();
    UUID fan = UUID.fromString(workflow.get("tasks").get("fan").get("id").asString());
    UUID workflowId = UUID.fromString(workflow.get("id").asString());
    jdbc.sql("UPDATE task SET status = 'RUNNING' WHERE id = :id").param("id", fan).update();
    Task returning = tasks.find(fan).orElseThrow();
    expand.returned(returning, json.readTree(TWO), 0, clock.instant());
    assertThat(tasks.update(returning)).isTrue();

    // read RUNNING by the canceller before the WAITING write landed
    assertThat(cancels.request(fan, clock.instant())).isTrue();

    assertThat(tasks.find(fan).orElseThrow().status()).isEqualTo(TaskStatus.CANCELLED);
    assertThat(task(workflowId, "fan/b").status()).isEqualTo(TaskStatus.CANCELLED);
    Task a = task(workflowId, "fan/a");
    assertThat(a.status() == TaskStatus.CANCELLED || a.cancelRequested())
        .as("fan/a: " + a.status())
        .isTrue();
  }

  @Test
  void cancellingATaskOfASubWorkflowCancelsTheReturningTaskRatherThanFailingIt() {
    JsonNode workflow =
        api.post(
                "/api/v1/workflows",
                Workflows.named("part").task("fan", ID, "f", List.of()).build())
            .json();
    UUID fan = UUID.fromString(workflow.get("tasks").get("fan").get("id").asString());
    UUID workflowId = UUID.fromString(workflow.get("id").asString());
    jdbc.sql("UPDATE task SET status = 'RUNNING' WHERE id = :id").param("id", fan).update();
    Task returning = tasks.find(fan).orElseThrow();
    expand.returned(returning, json.readTree(TWO), 0, clock.instant());
    assertThat(tasks.update(returning)).isTrue();

    Api.Response cancelled =
        api.post("/api/v1/tasks/" + task(workflowId, "fan/a").id() + "/cancel", "");

    assertThat(cancelled.status()).as(cancelled.text()).isLessThan(300);
    assertThat(task(workflowId, "fan/b").status()).isEqualTo(TaskStatus.CANCELLED);
    Task parent = tasks.find(fan).orElseThrow();
    assertThat(parent.status()).isEqualTo(TaskStatus.CANCELLED);
    assertThat(parent.error()).isNull();
  }

  @Test
  void twoSubWorkflowsReturnedAtOnceCannotBothPassTheWorkflowsLimit() {
    JsonNode workflow =
        api.post(
                "/api/v1/workflows",
                Workflows.named("full")
                    .task("one", ID, "f", List.of())
                    .task("two", ID, "f", List.of())
                    .build())
            .json();
    UUID one = UUID.fromString(workflow.get("tasks").get("one").get("id").asString());
    UUID two = UUID.fromString(workflow.get("tasks").get("two").get("id").asString());
    UUID workflowId = UUID.fromString(workflow.get("id").asString());
    jdbc.sql(
            """
            INSERT INTO task
            SELECT (jsonb_populate_record(NULL::task, to_jsonb(t)
                     || jsonb_build_object('id', gen_random_uuid(), 'workflow_key', 'k' || g))).*
            FROM task t, generate_series(1, 996) g WHERE t.id = :id
            """)
        .param("id", one)
        .update();
    jdbc.sql("UPDATE task SET status = 'RUNNING' WHERE id IN (:ids)")
        .param("ids", List.of(one, two))
        .update();
    Task first = tasks.find(one).orElseThrow();
    Task second = tasks.find(two).orElseThrow();
    JsonNode pair =
        json.readTree(
            """
            {"tasks": {"a": {"function": {"source": "def f():\\n    return 1\\n", "name": "f"}},
                       "b": {"function": {"source": "def f():\\n    return 1\\n", "name": "f"}}},
             "output": {"$task": "a"}}""");

    // both checked against 998 tasks before either is written: each fits alone
    expand.returned(first, pair, 0, clock.instant());
    expand.returned(second, pair, 0, clock.instant());
    assertThat(tasks.update(first)).isTrue();
    assertThat(tasks.update(second)).isTrue();

    assertThat(keys(workflowId)).hasSize(1000);
    assertThat(tasks.find(one).orElseThrow().status()).isEqualTo(TaskStatus.WAITING);
    Task refused = tasks.find(two).orElseThrow();
    assertThat(refused.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(refused.statusReason()).contains("1002 tasks").contains("at most 1000");
    assertThat(refused.dependsOn()).isEmpty();
  }

  @Test
  void aTaskOfASubWorkflowWaitsForTheTasksItsAfterNamesAndAnUnknownOneFailsTheReturningTask() {
    JsonNode workflow =
        api.post(
                "/api/v1/workflows",
                Workflows.named("waits")
                    .task("one", ID, "f", List.of())
                    .task("two", ID, "f", List.of())
                    .build())
            .json();
    UUID workflowId = UUID.fromString(workflow.get("id").asString());
    Task one = running(workflow, "one");
    Task two = running(workflow, "two");

    expand.returned(
        one,
        json.readTree(
            """
            {"tasks": {"a": {"function": {"source": "def f():\\n    return 1\\n", "name": "f"}},
                       "b": {"function": {"source": "def f():\\n    return 2\\n", "name": "f"},
                             "after": ["a"]}},
             "output": {"$task": "b"}}"""),
        0,
        clock.instant());
    assertThat(tasks.update(one)).isTrue();
    expand.returned(
        two,
        json.readTree(
            """
            {"tasks": {"a": {"function": {"source": "def f():\\n    return 1\\n", "name": "f"},
                             "after": ["nowhere"]}},
             "output": {"$task": "a"}}"""),
        0,
        clock.instant());
    assertThat(tasks.update(two)).isTrue();

    Task b = task(workflowId, "one/b");
    assertThat(b.dependsOn().keySet()).as("waits, takes nothing").containsExactly("one/a");
    assertThat(b.spec().args()).isNullOrEmpty();
    Task refused = tasks.find(two.id()).orElseThrow();
    assertThat(refused.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(refused.error().type()).isEqualTo("InvalidSubWorkflow");
    assertThat(refused.statusReason()).contains("tasks.a.after[0]");
  }

  private Task running(JsonNode workflow, String key) {
    UUID id = UUID.fromString(workflow.get("tasks").get(key).get("id").asString());
    jdbc.sql("UPDATE task SET status = 'RUNNING' WHERE id = :id").param("id", id).update();
    return tasks.find(id).orElseThrow();
  }

  @Test
  void referencesAreRewrittenUnderTheReturningTasksKeyAndDepthCountsSlashes() throws Exception {
    JsonNode args =
        json.readTree(
            "[{\"$task\": \"a\", \"path\": [{\"index\": {\"$task\": \"b\"}}]}, {\"x\": [1]}]");

    assertThat(SubWorkflowKeys.under("p/q/", args).toString())
        .isEqualTo(
            "[{\"$task\":\"p/q/a\",\"path\":[{\"index\":{\"$task\":\"p/q/b\"}}]},{\"x\":[1]}]");
    assertThat(SubWorkflowKeys.depth("train")).isZero();
    assertThat(SubWorkflowKeys.depth("train/0/inner")).isEqualTo(2);
  }

  private void succeed(Task task, String pointer) {
    jdbc.sql("UPDATE task SET status = 'RUNNING' WHERE id = :id").param("id", task.id()).update();
    Task running = tasks.find(task.id()).orElseThrow();
    running.resultsCollected(Map.of("result.json", "digest-of-" + pointer));
    running.succeed(pointer, 0, clock.instant());
    assertThat(tasks.update(running)).isTrue();
  }

  private Task task(UUID workflowId, String key) {
    return tasks
        .find(
            jdbc.sql("SELECT id FROM task WHERE workflow_id = :w AND workflow_key = :k")
                .param("w", workflowId)
                .param("k", key)
                .query(UUID.class)
                .single())
        .orElseThrow();
  }

  private List<String> keys(UUID workflowId) {
    return jdbc.sql("SELECT workflow_key FROM task WHERE workflow_id = :w")
        .param("w", workflowId)
        .query(String.class)
        .list();
  }
}
