package io.batchexecutor.workflow;

import static io.batchexecutor.workflow.Workflows.ref;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.SettableClock;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskRepository;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Re-runs and partial cancels through the API, without running anything: tasks are ended by writing
 * their ends as the pipeline would, with results stored in the object store.
 */
@ServiceTest
class WorkflowRerunTest {

  static final String ID = WorkflowEnds.ID;

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;
  @Autowired TaskRepository tasks;
  @Autowired ObjectStores stores;
  @Autowired SettableClock clock;
  Api api;
  WorkflowEnds ends;

  @BeforeEach
  void setUp() {
    api = new Api(port);
    ends = new WorkflowEnds(api, jdbc, tasks, stores, clock);
  }

  @Test
  void aRerunReusesWhatSucceededAndRunsTheFailedTaskAndEverythingBelowIt() {
    JsonNode first = ends.chain();
    ends.succeed(first, "a", "1");
    ends.succeed(first, "b", "2");
    ends.fail(first, "c");
    String firstId = first.get("id").asString();
    assertThat(workflow(firstId).get("status").asString()).isEqualTo("FAILED");

    Api.Response response = api.post("/api/v1/workflows/" + firstId + "/rerun", "");

    assertThat(response.status()).as(response.text()).isEqualTo(202);
    JsonNode second = response.json();
    String secondId = second.get("id").asString();
    assertThat(secondId).isNotEqualTo(firstId);
    assertThat(response.header("Location")).contains("/api/v1/workflows/" + secondId);
    assertThat(second.get("rerun_of").asString()).isEqualTo(firstId);
    JsonNode t = second.get("tasks");
    assertThat(t.get("a").get("status").asString()).isEqualTo("SUCCEEDED");
    assertThat(t.get("a").get("reused_from").asString())
        .isEqualTo(WorkflowEnds.idOf(first, "a").toString());
    assertThat(t.get("b").get("status").asString()).isEqualTo("SUCCEEDED");
    assertThat(t.get("c").get("status").asString()).as("the failed task runs").isEqualTo("QUEUED");
    assertThat(t.get("c").get("reused_from").isNull()).isTrue();
    assertThat(t.get("d").get("status").asString()).isEqualTo("WAITING");
    List<JsonNode> events = events(WorkflowEnds.idOf(second, "a"));
    assertThat(events)
        .extracting(e -> e.get("kind").asString())
        .containsExactly("STATUS", "REUSED");
    assertThat(events.get(1).get("details").get("source_task_id").asString())
        .isEqualTo(WorkflowEnds.idOf(first, "a").toString());
    assertThat(
            api.get("/api/v1/tasks/" + WorkflowEnds.idOf(second, "b") + "/result").json().asInt())
        .as("the reused result is readable through the new task")
        .isEqualTo(2);
    JsonNode before = workflow(firstId);
    assertThat(before.get("status").asString())
        .as("the first run stays as it was")
        .isEqualTo("FAILED");
    assertThat(before.get("reruns").toString()).isEqualTo("[\"" + secondId + "\"]");

    // a re-run of the re-run reuses the same results, named by the task that computed them
    ends.succeed(second, "c", "3");
    ends.succeed(second, "d", "4");
    JsonNode third = api.post("/api/v1/workflows/" + secondId + "/rerun", "{}").json();
    assertThat(workflow(third.get("id").asString()).get("status").asString())
        .as("nothing changed: the whole run is reused")
        .isEqualTo("SUCCEEDED");
    assertThat(third.get("tasks").get("a").get("reused_from").asString())
        .isEqualTo(WorkflowEnds.idOf(first, "a").toString());
    assertThat(third.get("tasks").get("d").get("reused_from").asString())
        .isEqualTo(WorkflowEnds.idOf(second, "d").toString());
    assertThat(workflow(third.get("id").asString()).get("outputs").get("d").asInt()).isEqualTo(4);
  }

  @Test
  void aReplacedTaskAndEverythingBelowItRunAgainWhileItsSiblingIsReused() {
    JsonNode first =
        api.post(
                "/api/v1/workflows",
                Workflows.named("fork")
                    .task("a", ID, "f", List.of(1))
                    .task("b", ID, "f", List.of(ref("a"), "b"))
                    .task("c", ID, "f", List.of(ref("a"), "c"))
                    .task("d", ID, "f", List.of(ref("b")))
                    .build())
            .json();
    for (String key : List.of("a", "b", "c", "d")) {
      ends.succeed(first, key, "\"" + key + "\"");
    }

    JsonNode second =
        api.post(
                "/api/v1/workflows/" + first.get("id").asString() + "/rerun",
                Map.of("tasks", Map.of("b", Map.of("args", List.of(ref("a"), "B")))))
            .json();

    JsonNode t = second.get("tasks");
    assertThat(t.get("a").get("status").asString()).isEqualTo("SUCCEEDED");
    assertThat(t.get("c").get("status").asString()).isEqualTo("SUCCEEDED");
    assertThat(t.get("b").get("status").asString())
        .as("its dependency is reused: it is due at once")
        .isEqualTo("QUEUED");
    assertThat(t.get("d").get("status").asString()).isEqualTo("WAITING");
    assertThat(
            jdbc.sql("SELECT spec->'args'->>1 FROM task WHERE id = :id")
                .param("id", WorkflowEnds.idOf(second, "b"))
                .query(String.class)
                .single())
        .isEqualTo("B");

    JsonNode all =
        api.post(
                "/api/v1/workflows/" + first.get("id").asString() + "/rerun",
                Map.of("reuse", false))
            .json();
    assertThat(all.get("tasks").get("a").get("status").asString()).isEqualTo("QUEUED");
    assertThat(all.get("tasks").get("c").get("status").asString()).isEqualTo("WAITING");
    assertThat(all.get("task_counts").toString()).doesNotContain("SUCCEEDED");
  }

  @Test
  void anUnknownKeyOrAnInvalidReplacementIsRefusedAndNothingIsStored() {
    JsonNode first = ends.chain();
    String id = first.get("id").asString();
    long before = ends.rows();

    Api.Response unknown =
        api.post(
            "/api/v1/workflows/" + id + "/rerun",
            Map.of("tasks", Map.of("zz", Map.of("args", List.of(1)))));
    Api.Response invalid =
        api.post(
            "/api/v1/workflows/" + id + "/rerun",
            Map.of("tasks", Map.of("b", Map.of("args", Map.of("not", "a list")))));
    Api.Response dangling =
        api.post(
            "/api/v1/workflows/" + id + "/rerun",
            Map.of("tasks", Map.of("b", Map.of("args", List.of(ref("nowhere"))))));

    assertThat(unknown.status()).as(unknown.text()).isEqualTo(400);
    assertThat(unknown.json().get("errors").get(0).get("field").asString()).isEqualTo("tasks.zz");
    assertThat(unknown.json().get("errors").get(0).get("message").asString())
        .contains("no such key");
    assertThat(invalid.status()).as(invalid.text()).isEqualTo(400);
    assertThat(invalid.text()).contains("tasks.b.args");
    assertThat(dangling.status()).isEqualTo(400);
    assertThat(dangling.text()).contains("nowhere");
    assertThat(ends.rows()).isEqualTo(before);
    assertThat(workflow(id).get("reruns").size()).isZero();
  }

  @Test
  void anotherClientCannotRerunOrCancelPartOfAWorkflow() {
    String id = ends.chain().get("id").asString();
    long before = ends.rows();

    Api intruder = api.as(Api.INTRUDER);
    assertThat(intruder.post("/api/v1/workflows/" + id + "/rerun", "").status()).isEqualTo(404);
    assertThat(
            intruder
                .post("/api/v1/workflows/" + id + "/cancel", Map.of("tasks", List.of("a")))
                .status())
        .isEqualTo(404);
    assertThat(ends.rows()).isEqualTo(before);
    assertThat(workflow(id).get("task_counts").toString()).doesNotContain("CANCELLED");
  }

  @Test
  void aRetriedRerunWithTheSameIdempotencyKeyReturnsTheFirstNewRun() {
    String id = ends.chain().get("id").asString();

    Api.Response once =
        api.post("/api/v1/workflows/" + id + "/rerun", "{}", "Idempotency-Key", "again-1");
    Api.Response twice =
        api.post("/api/v1/workflows/" + id + "/rerun", "{}", "Idempotency-Key", "again-1");
    Api.Response other =
        api.post(
            "/api/v1/workflows/" + id + "/rerun",
            "{\"reuse\": false}",
            "Idempotency-Key",
            "again-1");

    assertThat(once.status()).isEqualTo(202);
    assertThat(twice.status()).isEqualTo(202);
    assertThat(twice.header("Idempotent-Replayed")).contains("true");
    assertThat(twice.json().get("id").asString()).isEqualTo(once.json().get("id").asString());
    assertThat(other.status()).isEqualTo(409);
  }

  @Test
  void deletingTheFirstRunKeepsTheResultsALaterRunReusesUntilThatRunGoesToo() {
    JsonNode first = ends.chain();
    URI a = ends.succeed(first, "a", "1");
    URI b = ends.succeed(first, "b", "2");
    ends.fail(first, "c");
    String firstId = first.get("id").asString();
    JsonNode second = api.post("/api/v1/workflows/" + firstId + "/rerun", "").json();
    ends.succeed(second, "c", "3");
    URI d = ends.succeed(second, "d", "4");
    String secondId = second.get("id").asString();

    assertThat(api.delete("/api/v1/workflows/" + firstId).status()).isEqualTo(204);

    assertThat(stores.get(a.toString())).as("reused by the second run").isPresent();
    assertThat(stores.get(b.toString())).isPresent();
    assertThat(
            api.get("/api/v1/tasks/" + WorkflowEnds.idOf(second, "a") + "/result").json().asInt())
        .isEqualTo(1);
    JsonNode kept = workflow(secondId);
    assertThat(kept.get("status").asString()).isEqualTo("SUCCEEDED");
    assertThat(kept.get("rerun_of").asString()).as("the link stays").isEqualTo(firstId);
    assertThat(kept.get("outputs").get("d").asInt()).isEqualTo(4);

    assertThat(api.delete("/api/v1/workflows/" + secondId).status()).isEqualTo(204);

    assertThat(stores.get(a.toString())).as("nothing reuses it any more").isEmpty();
    assertThat(stores.get(b.toString())).isEmpty();
    assertThat(stores.get(d.toString())).isEmpty();
  }

  @Test
  void aReusedResultStoredUnderAnotherTasksPrefixKeepsThatTasksObjects() {
    // as a sub-workflow's parent points at its output task's result: a's result is under c's prefix
    JsonNode first = ends.chain();
    ends.running(first, "a");
    URI a = ends.succeedRunning(WorkflowEnds.idOf(first, "a"), WorkflowEnds.idOf(first, "c"), "1");
    ends.succeed(first, "b", "2");
    ends.fail(first, "c");
    String firstId = first.get("id").asString();
    JsonNode second = api.post("/api/v1/workflows/" + firstId + "/rerun", "").json();
    assertThat(second.get("tasks").get("a").get("reused_from").asString())
        .as("the task whose prefix holds the result")
        .isEqualTo(WorkflowEnds.idOf(first, "c").toString());

    assertThat(api.delete("/api/v1/workflows/" + firstId).status()).isEqualTo(204);

    assertThat(stores.get(a.toString())).as("reused by the second run").isPresent();
    assertThat(
            api.get("/api/v1/tasks/" + WorkflowEnds.idOf(second, "a") + "/result").json().asInt())
        .isEqualTo(1);

    ends.succeed(second, "c", "3");
    ends.succeed(second, "d", "4");
    assertThat(api.delete("/api/v1/workflows/" + second.get("id").asString()).status())
        .isEqualTo(204);
    assertThat(stores.get(a.toString())).as("nothing reuses it any more").isEmpty();
  }

  @Test
  void aResultDeletedSinceIsNotReusedButRunsAgain() {
    JsonNode first = ends.chain();
    URI a = ends.succeed(first, "a", "1");
    URI b = ends.succeed(first, "b", "2");
    ends.fail(first, "c");
    // as a bucket lifecycle rule or an operator would have left them: b's result, which c takes,
    // is gone, and so is a's, which b takes once it runs again
    stores.deleteUnder(prefixOf(a));
    stores.deleteUnder(prefixOf(b));

    JsonNode t = rerun(first).get("tasks");

    assertThat(t.get("a").get("status").asString()).as("its result is gone").isEqualTo("QUEUED");
    assertThat(t.get("a").get("reused_from").isNull()).isTrue();
    assertThat(t.get("b").get("status").asString()).isEqualTo("WAITING");
    assertThat(t.get("b").get("reused_from").isNull()).isTrue();
    assertThat(t.get("c").get("status").asString()).isEqualTo("WAITING");
  }

  @Test
  void onlyAResultThatARunningTaskTakesIsLookedUpAndAStoredOneIsReused() {
    JsonNode first = ends.chain();
    URI a = ends.succeed(first, "a", "1");
    ends.succeed(first, "b", "2");
    ends.fail(first, "c");
    // nothing that runs takes a's result (b is reused): it is not looked up
    stores.deleteUnder(prefixOf(a));

    JsonNode t = rerun(first).get("tasks");

    assertThat(t.get("a").get("reused_from").asString())
        .isEqualTo(WorkflowEnds.idOf(first, "a").toString());
    assertThat(t.get("b").get("status").asString()).isEqualTo("SUCCEEDED");
    assertThat(t.get("b").get("reused_from").asString())
        .isEqualTo(WorkflowEnds.idOf(first, "b").toString());
    assertThat(t.get("c").get("status").asString()).isEqualTo("QUEUED");
  }

  @Test
  void aReusedOutputWhoseResultIsGoneRunsAgain() {
    JsonNode first = ends.chain();
    ends.succeed(first, "a", "1");
    ends.succeed(first, "b", "2");
    ends.succeed(first, "c", "3");
    URI d = ends.succeed(first, "d", "4");
    stores.deleteUnder(prefixOf(d));

    JsonNode t = rerun(first).get("tasks");

    assertThat(t.get("c").get("status").asString()).isEqualTo("SUCCEEDED");
    assertThat(t.get("d").get("status").asString()).as("the workflow's output").isEqualTo("QUEUED");
    assertThat(t.get("d").get("reused_from").isNull()).isTrue();
  }

  private JsonNode rerun(JsonNode first) {
    Api.Response r = api.post("/api/v1/workflows/" + first.get("id").asString() + "/rerun", "");
    assertThat(r.status()).as(r.text()).isEqualTo(202);
    return r.json();
  }

  private static String prefixOf(URI result) {
    return result.toString().replaceAll("result\\.json$", "");
  }

  @Test
  void aTaskThatRunsAgainIsAcceptedOnlyWithAProfileItsClientMayStillUse() {
    JsonNode first = ends.chain();
    ends.succeed(first, "a", "1");
    ends.succeed(first, "b", "2");
    ends.fail(first, "c");
    // as if the client's access to the profile these tasks ran with had been withdrawn since
    for (String key : List.of("a", "c")) {
      jdbc.sql(
              "UPDATE task SET settings = jsonb_set(settings, '{execution_profile}',"
                  + " '\"withdrawn\"') WHERE id = :id")
          .param("id", WorkflowEnds.idOf(first, key))
          .update();
    }
    long before = ends.rows();

    Api.Response refused =
        api.post("/api/v1/workflows/" + first.get("id").asString() + "/rerun", "");

    assertThat(refused.status()).as(refused.text()).isEqualTo(400);
    assertThat(refused.text()).as("the reused a is not refused").contains("tasks.c.");
    assertThat(refused.text()).doesNotContain("tasks.a.");
    assertThat(ends.rows()).as("nothing stored").isEqualTo(before);
  }

  @Test
  void aReusedSweepServesEachRunsStreamFromTheTaskThatRanIt() {
    JsonNode first =
        api.post(
                "/api/v1/workflows",
                Workflows.named("sweep")
                    .task(
                        "s",
                        io.batchexecutor.support.Tasks.function("def g(x):\n    return x\n", "g")
                            .set("sweep", Map.of("x", List.of(1, 2)))
                            .build())
                    .task("t", ID, "f", List.of(ref("s")))
                    .build())
            .json();
    assertThat(first.get("tasks")).as(first.toString()).isNotNull();
    ends.succeed(first, "s", "[1, 2]");
    Task ran = tasks.find(WorkflowEnds.idOf(first, "s")).orElseThrow();
    String runOne = ran.objectPrefix() + "sweep/1/";
    String bucket = ran.settings().s3BucketName();
    stores.primary().put(bucket, runOne + "stdout.txt", bytes("printed by run 1"));
    stores.primary().put(bucket, runOne + "result.json", bytes("{\"value\": 2}"));
    ends.fail(first, "t");

    JsonNode second =
        api.post("/api/v1/workflows/" + first.get("id").asString() + "/rerun", "").json();

    UUID reused = WorkflowEnds.idOf(second, "s");
    assertThat(second.get("tasks").get("s").get("status").asString()).isEqualTo("SUCCEEDED");
    Api.Response printed = api.get("/api/v1/tasks/" + reused + "/logs?stream=stdout&index=1");
    assertThat(printed.status()).as(printed.text()).isEqualTo(200);
    assertThat(printed.text()).isEqualTo("printed by run 1");
  }

  @Test
  void aReplacementThatDropsAReferenceKeepsWaitingForWhatTheTaskWaitedFor() {
    // c referred to x and waited for it besides (after): without the reference it still waits
    JsonNode first =
        api.post(
                "/api/v1/workflows",
                Workflows.named("after")
                    .task("x", ID, "f", List.of(1))
                    .task(
                        "c",
                        io.batchexecutor.support.Tasks.function(ID, "f")
                            .set("args", List.of(ref("x")))
                            .set("after", List.of("x"))
                            .build())
                    .build())
            .json();
    ends.fail(first, "x");

    JsonNode second =
        api.post(
                "/api/v1/workflows/" + first.get("id").asString() + "/rerun",
                Map.of("tasks", Map.of("c", Map.of("args", List.of(2)))))
            .json();

    JsonNode t = second.get("tasks");
    assertThat(t.get("x").get("status").asString()).isEqualTo("QUEUED");
    assertThat(t.get("c").get("status").asString())
        .as("it waits for x as the first run did")
        .isEqualTo("WAITING");
  }

  @Test
  void cancellingABranchCancelsWhatIsBelowItWhileTheOtherBranchFinishes() {
    JsonNode w =
        api.post(
                "/api/v1/workflows",
                Workflows.named("branches")
                    .task("root", ID, "f", List.of(1))
                    .task("left", ID, "f", List.of(ref("root")))
                    .task("left2", ID, "f", List.of(ref("left")))
                    .task("right", ID, "f", List.of(ref("root")))
                    .task("join", ID, "f", List.of(ref("left2"), ref("right")))
                    .task("right2", ID, "f", List.of(ref("right")))
                    .build())
            .json();
    String id = w.get("id").asString();
    ends.succeed(w, "root", "1");
    ends.running(w, "right");

    Api.Response unknown =
        api.post("/api/v1/workflows/" + id + "/cancel", Map.of("tasks", List.of("left", "lft")));
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.text()).contains("'lft'");
    assertThat(workflow(id).get("task_counts").toString()).doesNotContain("CANCELLED");

    Api.Response cancelled =
        api.post("/api/v1/workflows/" + id + "/cancel", Map.of("tasks", List.of("left")));

    assertThat(cancelled.status()).as(cancelled.text()).isEqualTo(202);
    JsonNode t = workflow(id).get("tasks");
    assertThat(t.get("left").get("status").asString()).isEqualTo("CANCELLED");
    assertThat(t.get("left2").get("status").asString()).isEqualTo("CANCELLED");
    assertThat(t.get("join").get("status").asString()).isEqualTo("CANCELLED");
    assertThat(t.get("right").get("status").asString()).isEqualTo("RUNNING");
    assertThat(t.get("right2").get("status").asString()).isEqualTo("WAITING");
    assertThat(workflow(id).get("status").asString()).isEqualTo("RUNNING");
    assertThat(workflow(id).get("cancel_requested").asBoolean()).isFalse();

    ends.succeedRunning(WorkflowEnds.idOf(w, "right"), "2");
    assertThat(workflow(id).get("tasks").get("right2").get("status").asString())
        .as("the other branch goes on")
        .isEqualTo("QUEUED");
    ends.succeed(w, "right2", "3");

    JsonNode ended = workflow(id);
    assertThat(ended.get("status").asString()).isEqualTo("CANCELLED");
    assertThat(ended.get("task_counts").toString()).isEqualTo("{\"SUCCEEDED\":3,\"CANCELLED\":3}");
  }

  // ---- helpers ------------------------------------------------------------------------------

  private JsonNode workflow(String id) {
    return api.get("/api/v1/workflows/" + id).json();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private List<JsonNode> events(UUID task) {
    return api.get("/api/v1/tasks/" + task + "/events").json().valueStream().toList();
  }
}
