package io.batchexecutor.retention;

import static io.batchexecutor.workflow.Workflows.ref;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.LockWaits;
import io.batchexecutor.support.ProblemAssert;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.SettableClock;
import io.batchexecutor.support.Tasks;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskRepository;
import io.batchexecutor.task.WatchedTasks;
import io.batchexecutor.task.WorkQueue;
import io.batchexecutor.workflow.Workflows;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
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
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * With {@code keep-finished=7d}: what ended more than seven days ago goes, with its history and
 * everything it stored; what ended since, what has not ended, and a workflow with a task still
 * under way stay, objects and all. A client deletes what of its own has ended the same way.
 */
@ServiceTest
@TestPropertySource(properties = "batch-executor.retention.keep-finished=7d")
class RetentionTest {

  static final String ID = "def f(*a):\n    return a\n";

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectStores stores;
  @Autowired RemoveExpiredTasks retention;
  @Autowired DataSource dataSource;
  @Autowired SettableClock clock;
  @Autowired PlatformTransactionManager transactions;
  @Autowired TaskRepository taskRows;
  @Autowired WorkQueue queue;
  Api api;

  @BeforeEach
  void setUp() {
    api = new Api(port);
  }

  @Test
  void whatEndedLongAgoGoesWithEverythingItStoredAndNothingElseDoes() {
    UUID old = task("SUCCEEDED", Duration.ofDays(8));
    UUID recent = task("FAILED", Duration.ofDays(1));
    UUID waiting = task("QUEUED", null);
    JsonNode oldWorkflow = workflow();
    ended(oldWorkflow, "a", "SUCCEEDED", Duration.ofDays(9));
    ended(oldWorkflow, "b", "CANCELLED", Duration.ofDays(8));
    JsonNode busyWorkflow = workflow();
    ended(busyWorkflow, "a", "SUCCEEDED", Duration.ofDays(9));
    ended(busyWorkflow, "b", "RUNNING", null);
    // both made before their tasks ended, as a workflow always is
    made(oldWorkflow, Duration.ofDays(10));
    made(busyWorkflow, Duration.ofDays(10));
    UUID legacy = task("SUCCEEDED", Duration.ofDays(8));
    jdbc.sql("UPDATE task SET object_prefix = NULL WHERE id = :id").param("id", legacy).update();
    URI oldResult = store(old, "result.json");
    URI oldSweepRun = store(old, "sweep/3/output.log");
    URI legacyResult = store(legacy, "result.json");
    URI recentResult = store(recent, "result.json");
    UUID oldWorkflowTask = taskOf(oldWorkflow, "a");
    URI oldWorkflowResult = store(oldWorkflowTask, "result.json");
    URI busyResult = store(taskOf(busyWorkflow, "a"), "result.json");

    int removed = retention.removeExpired();

    assertThat(removed).isEqualTo(4);
    assertThat(oldResult.toString()).contains("/batch-executor/tester/" + old);
    assertThat(legacyResult.toString()).contains("/batch-executor/tasks/" + legacy + "/");
    assertThat(exists(legacy)).isFalse();
    assertThat(stores.get(legacyResult.toString()))
        .as("a task stored before keys carried the client goes with its objects too")
        .isEmpty();
    assertThat(exists(old)).isFalse();
    assertThat(events(old)).as("its history").isZero();
    assertThat(stores.get(oldResult.toString())).isEmpty();
    assertThat(stores.get(oldSweepRun.toString())).isEmpty();
    assertThat(api.get("/api/v1/tasks/" + old).status()).isEqualTo(404);
    assertThat(api.get("/api/v1/workflows/" + oldWorkflow.get("id").asString()).status())
        .isEqualTo(404);
    assertThat(exists(oldWorkflowTask)).isFalse();
    assertThat(stores.get(oldWorkflowResult.toString())).isEmpty();

    assertThat(exists(recent)).isTrue();
    assertThat(stores.get(recentResult.toString())).isPresent();
    assertThat(exists(waiting)).isTrue();
    assertThat(api.get("/api/v1/workflows/" + busyWorkflow.get("id").asString()).status())
        .isEqualTo(200);
    assertThat(stores.get(busyResult.toString())).isPresent();
    assertThat(retention.removeExpired()).as("nothing left to remove").isZero();
  }

  @Test
  void aTaskGoesOnceTheServicesClockPassesTheKeepTimeAfterItsEnd() {
    UUID ended = task("SUCCEEDED", Duration.ZERO);
    URI result = store(ended, "result.json");

    clock.advance(Duration.ofDays(7).minusMinutes(1));
    retention.removeExpired();
    assertThat(exists(ended)).as("a minute before its seven days are over").isTrue();

    clock.advance(Duration.ofMinutes(2));
    retention.removeExpired();
    assertThat(exists(ended)).as("a minute after").isFalse();
    assertThat(stores.get(result.toString())).isEmpty();
  }

  @Test
  void aClientDeletesWhatHasEndedWithEverythingItStoredAndNothingElse() {
    UUID ended = task("FAILED", Duration.ofMinutes(1));
    UUID running = task("RUNNING", null);
    URI endedLog = store(ended, "logs.txt");
    JsonNode busyWorkflow = workflow();
    ended(busyWorkflow, "a", "SUCCEEDED", Duration.ofMinutes(1));
    JsonNode doneWorkflow = workflow();
    ended(doneWorkflow, "a", "SUCCEEDED", Duration.ofMinutes(2));
    ended(doneWorkflow, "b", "SUCCEEDED", Duration.ofMinutes(1));
    URI doneWorkflowResult = store(taskOf(doneWorkflow, "b"), "result.json");
    String busy = busyWorkflow.get("id").asString();
    String done = doneWorkflow.get("id").asString();
    Api intruder = api.as(Api.INTRUDER);

    ProblemAssert.assertProblem(intruder.delete("/api/v1/tasks/" + ended), 404, "task-not-found");
    ProblemAssert.assertProblem(
        intruder.delete("/api/v1/workflows/" + done), 404, "workflow-not-found");
    assertThat(exists(ended)).as("an intruder deletes nothing").isTrue();
    ProblemAssert.assertProblem(api.delete("/api/v1/tasks/" + running), 409, "task-not-finished");
    ProblemAssert.assertProblem(
        api.delete("/api/v1/tasks/" + taskOf(doneWorkflow, "b")), 409, "task-in-workflow");
    ProblemAssert.assertProblem(
        api.delete("/api/v1/workflows/" + busy), 409, "workflow-not-finished");

    assertThat(api.delete("/api/v1/tasks/" + ended).status()).isEqualTo(204);
    assertThat(api.delete("/api/v1/workflows/" + done).status()).isEqualTo(204);

    assertThat(exists(ended)).isFalse();
    assertThat(events(ended)).as("its history").isZero();
    assertThat(stores.get(endedLog.toString())).isEmpty();
    assertThat(exists(taskOf(doneWorkflow, "a"))).isFalse();
    assertThat(stores.get(doneWorkflowResult.toString())).isEmpty();
    ProblemAssert.assertProblem(api.delete("/api/v1/tasks/" + ended), 404, "task-not-found");
    assertThat(exists(running)).isTrue();
    assertThat(api.get("/api/v1/workflows/" + busy).status()).isEqualTo(200);
    assertThat(exists(taskOf(busyWorkflow, "a"))).isTrue();
  }

  @Test
  void aDeleteStoppedByADeadlockIsA503AndCanBeRepeated() throws Exception {
    JsonNode workflow = workflow();
    ended(workflow, "a", "SUCCEEDED", Duration.ofMinutes(2));
    ended(workflow, "b", "SUCCEEDED", Duration.ofMinutes(1));
    String id = workflow.get("id").asString();
    // the delete holds the workflow's row and waits for the task's, which the other session
    // holds; that session then asks for the workflow's
    Api.Response answer =
        LockWaits.deadlocked(
            dataSource,
            "SELECT 1 FROM task WHERE id = '" + taskOf(workflow, "b") + "' FOR UPDATE",
            "SELECT 1 FROM workflow WHERE id = '" + id + "' FOR UPDATE",
            () -> api.delete("/api/v1/workflows/" + id));

    ProblemAssert.assertProblem(answer, 503, "database-busy");
    assertThat(answer.header("Retry-After")).contains("1");
    assertThat(api.get("/api/v1/workflows/" + id).status()).as("nothing deleted").isEqualTo(200);
    assertThat(api.delete("/api/v1/workflows/" + id).status()).as("repeated").isEqualTo(204);
  }

  @Test
  void anExpiredRunKeepsTheResultsALaterRunReusesUntilThatRunExpiresToo() {
    JsonNode first = workflow();
    made(first, Duration.ofDays(10));
    ended(first, "a", "SUCCEEDED", Duration.ofDays(9));
    ended(first, "b", "SUCCEEDED", Duration.ofDays(8));
    URI a = storeResult(taskOf(first, "a"));
    URI b = storeResult(taskOf(first, "b"));
    Api.Response rerun = api.post("/api/v1/workflows/" + first.get("id").asString() + "/rerun", "");
    assertThat(rerun.status()).as(rerun.text()).isEqualTo(202);
    JsonNode second = rerun.json();
    assertThat(second.get("task_counts").toString()).isEqualTo("{\"SUCCEEDED\":2}");

    assertThat(retention.removeExpired()).isEqualTo(2);

    assertThat(exists(taskOf(first, "a"))).isFalse();
    assertThat(stores.get(a.toString())).as("the second run reuses it").isPresent();
    assertThat(stores.get(b.toString())).isPresent();
    assertThat(api.get("/api/v1/tasks/" + taskOf(second, "b") + "/result").status()).isEqualTo(200);

    clock.advance(Duration.ofDays(8));
    retention.removeExpired();

    assertThat(api.get("/api/v1/workflows/" + second.get("id").asString()).status()).isEqualTo(404);
    assertThat(stores.get(a.toString())).as("the last run that reused it is gone").isEmpty();
    assertThat(stores.get(b.toString())).isEmpty();
  }

  /** Stores a result for the ended task and points its row at it. */
  private URI storeResult(UUID task) {
    String prefix =
        jdbc.sql("SELECT object_prefix FROM task WHERE id = :id")
            .param("id", task)
            .query(String.class)
            .single();
    URI result =
        stores
            .primary()
            .put(
                "bucket",
                prefix + "result.json",
                "{\"value\": 1}".getBytes(StandardCharsets.UTF_8));
    jdbc.sql("UPDATE task SET result_pointer = :p WHERE id = :id")
        .param("p", result.toString())
        .param("id", task)
        .update();
    return result;
  }

  @Test
  void aBatchBeingDeletedHoldsNothingTheClaimWaitsFor() throws Exception {
    UUID old = task("SUCCEEDED", Duration.ofDays(8));
    UUID due = task("QUEUED", null);
    assertThat(events(old)).as("the expired task's history, deleted with it").isPositive();
    String backend =
        jdbc.sql("SELECT backend FROM task WHERE id = :id")
            .param("id", due)
            .query(String.class)
            .single();
    CountDownLatch deleted = new CountDownLatch(1);
    CountDownLatch claimed = new CountDownLatch(1);
    ExecutorService deleting = Executors.newSingleThreadExecutor();
    try {
      // retention's deletion of a batch (the task, its events by cascade, its client's finished
      // count by trigger), its transaction held open while the claim runs
      Future<Integer> deletion =
          deleting.submit(
              () ->
                  new TransactionTemplate(transactions)
                      .execute(
                          status -> {
                            int n = taskRows.deleteFinished(List.of(old));
                            deleted.countDown();
                            try {
                              claimed.await(30, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                              Thread.currentThread().interrupt();
                            }
                            status.setRollbackOnly();
                            return n;
                          }));
      assertThat(deleted.await(30, TimeUnit.SECONDS)).isTrue();
      Instant now = clock.instant();
      List<Task> claim =
          CompletableFuture.supplyAsync(
                  () ->
                      queue.claimDue(
                          "claimer",
                          List.of(backend),
                          10,
                          now,
                          now.plusSeconds(60),
                          WatchedTasks.none(backend)))
              .get(10, TimeUnit.SECONDS);
      claimed.countDown();
      assertThat(claim).extracting(Task::id).contains(due);
      assertThat(deletion.get(30, TimeUnit.SECONDS)).isOne();
    } finally {
      claimed.countDown();
      deleting.shutdownNow();
      // the deletion was rolled back: what this test made must not count in the next ones
      jdbc.sql("DELETE FROM task WHERE id IN (:old, :due)")
          .param("old", old)
          .param("due", due)
          .update();
    }
  }

  private UUID task(String status, Duration endedAgo) {
    UUID id =
        UUID.fromString(api.post("/api/v1/tasks", Tasks.add().build()).json().get("id").asString());
    finish(id, status, endedAgo);
    return id;
  }

  private JsonNode workflow() {
    return api.post(
            "/api/v1/workflows",
            Workflows.named("w")
                .task("a", ID, "f", List.of(1))
                .task("b", ID, "f", List.of(ref("a")))
                .build())
        .json();
  }

  private static UUID taskOf(JsonNode workflow, String key) {
    return UUID.fromString(workflow.get("tasks").get(key).get("id").asString());
  }

  private void ended(JsonNode workflow, String key, String status, Duration endedAgo) {
    finish(taskOf(workflow, key), status, endedAgo);
  }

  private void made(JsonNode workflow, Duration ago) {
    jdbc.sql("UPDATE workflow SET created_at = :at WHERE id = :id")
        .param("at", clock.instant().minus(ago).atOffset(ZoneOffset.UTC))
        .param("id", UUID.fromString(workflow.get("id").asString()))
        .update();
  }

  private void finish(UUID id, String status, Duration endedAgo) {
    jdbc.sql("UPDATE task SET status = :status, finished_at = :at WHERE id = :id")
        .param("status", status)
        .param(
            "at",
            endedAgo == null ? null : clock.instant().minus(endedAgo).atOffset(ZoneOffset.UTC))
        .param("id", id)
        .update();
  }

  /** Stores {@code name} under the task's prefix, as its row says it is. */
  private URI store(UUID task, String name) {
    String prefix =
        jdbc.sql(
                "SELECT coalesce(object_prefix, 'batch-executor/tasks/' || id || '/') FROM task"
                    + " WHERE id = :id")
            .param("id", task)
            .query(String.class)
            .single();
    return stores.primary().put("bucket", prefix + name, "stored".getBytes(StandardCharsets.UTF_8));
  }

  private boolean exists(UUID id) {
    return jdbc.sql("SELECT count(*) FROM task WHERE id = :id")
            .param("id", id)
            .query(Long.class)
            .single()
        > 0;
  }

  private long events(UUID id) {
    return jdbc.sql("SELECT count(*) FROM task_event WHERE task_id = :id")
        .param("id", id)
        .query(Long.class)
        .single();
  }
}
