package io.batchexecutor.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.LockWaits;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.SettableClock;
import io.batchexecutor.task.TaskRepository;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * A workflow's deletion racing a re-run of it, and two deletions of runs that share objects racing
 * each other: each race is set up in the order that used to lose (one party held at a lock by a
 * transaction of the test's own), and the objects must end as the rows say.
 */
@ServiceTest
class DeleteWorkflowConcurrencyTest {

  static final String ID = WorkflowEnds.ID;

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;
  @Autowired DataSource dataSource;
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
  void aDeletionBegunWhileARerunIsStoredKeepsEveryResultTheRerunReuses() throws Exception {
    JsonNode first = ends.chain();
    URI a = ends.succeed(first, "a", "1");
    URI b = ends.succeed(first, "b", "2");
    ends.fail(first, "c");
    String firstId = first.get("id").asString();
    String owner =
        jdbc.sql("SELECT owner FROM workflow WHERE id = :id")
            .param("id", UUID.fromString(firstId))
            .query(String.class)
            .single();

    Api.Response rerun;
    Api.Response deleted;
    // the re-run has decided what it reuses and is storing its run when the deletion begins: a
    // workflow under the same Idempotency-Key, not yet committed, holds its insert
    try (Connection held = dataSource.getConnection()) {
      held.setAutoCommit(false);
      try (PreparedStatement s =
          held.prepareStatement("SET LOCAL session_replication_role = replica")) {
        s.execute(); // no counter row is locked (its triggers would hold the deletion too)
      }
      try (PreparedStatement s =
          held.prepareStatement(
              "INSERT INTO workflow (id, owner, name, created_at, idempotency_key)"
                  + " VALUES (?, ?, 'held', ?, 'k1')")) {
        s.setObject(1, UUID.randomUUID());
        s.setString(2, owner);
        s.setObject(3, clock.instant().atOffset(java.time.ZoneOffset.UTC));
        s.executeUpdate();
      }
      CompletableFuture<Api.Response> storing =
          CompletableFuture.supplyAsync(
              () ->
                  api.post("/api/v1/workflows/" + firstId + "/rerun", "", "Idempotency-Key", "k1"));
      awaitWaitingOnLocks(1, storing);
      CompletableFuture<Api.Response> deleting =
          CompletableFuture.supplyAsync(() -> api.delete("/api/v1/workflows/" + firstId));
      awaitWaitingOnLocks(2, deleting);
      held.rollback();
      rerun = storing.get(30, TimeUnit.SECONDS);
      deleted = deleting.get(30, TimeUnit.SECONDS);
    }

    // the re-run held the earlier run's row when the deletion began: the deletion waited for it
    // and saw its references
    assertThat(rerun.status()).as(rerun.text()).isEqualTo(202);
    assertThat(deleted.status()).as(deleted.text()).isEqualTo(204);
    JsonNode second = rerun.json();
    assertThat(second.get("tasks").get("a").get("reused_from").asString())
        .isEqualTo(WorkflowEnds.idOf(first, "a").toString());
    assertThat(stores.get(a.toString())).as("reused by the re-run").isPresent();
    assertThat(stores.get(b.toString())).as("reused by the re-run").isPresent();
    assertThat(
            api.get("/api/v1/tasks/" + WorkflowEnds.idOf(second, "b") + "/result").json().asInt())
        .isEqualTo(2);
  }

  @Test
  void aRerunOfAWorkflowWhoseDeletionHasBegunIsRefusedAndStoresNothing() {
    JsonNode first = ends.chain();
    ends.succeed(first, "a", "1");
    ends.fail(first, "b");
    String path = "/api/v1/workflows/" + first.get("id").asString() + "/rerun";
    Api.Response earlier = api.post(path, "", "Idempotency-Key", "k2");
    assertThat(earlier.status()).as(earlier.text()).isEqualTo(202);
    // as a deletion that failed half-way (its objects partly gone) leaves it
    jdbc.sql("UPDATE workflow SET deleting_since = :at WHERE id = :id")
        .param("at", clock.instant().atOffset(java.time.ZoneOffset.UTC))
        .param("id", UUID.fromString(first.get("id").asString()))
        .update();
    long before = ends.rows();

    Api.Response refused =
        api.post("/api/v1/workflows/" + first.get("id").asString() + "/rerun", "");

    assertThat(refused.status()).as(refused.text()).isEqualTo(409);
    assertThat(refused.json().get("type").asString()).endsWith(":workflow-being-deleted");
    assertThat(ends.rows()).as("nothing stored").isEqualTo(before);
    Api.Response replayed = api.post(path, "", "Idempotency-Key", "k2");
    assertThat(replayed.status()).as("a replay is answered, not refused").isEqualTo(202);
    assertThat(replayed.json().get("id").asString()).isEqualTo(earlier.json().get("id").asString());
    assertThat(ends.rows()).isEqualTo(before);
    assertThat(api.delete("/api/v1/workflows/" + first.get("id").asString()).status())
        .as("its deletion completes")
        .isEqualTo(204);
  }

  @Test
  void twoRunsSharingResultsDeletedAtOnceLeaveNoObjectBehind() throws Exception {
    JsonNode first = ends.chain();
    URI a = ends.succeed(first, "a", "1");
    URI b = ends.succeed(first, "b", "2");
    ends.fail(first, "c");
    String firstId = first.get("id").asString();
    JsonNode second = api.post("/api/v1/workflows/" + firstId + "/rerun", "").json();
    URI c = ends.succeed(second, "c", "3");
    ends.succeed(second, "d", "4");
    String secondId = second.get("id").asString();

    // both deletions have decided which objects to keep before either's rows go
    try (Connection held = dataSource.getConnection()) {
      held.setAutoCommit(false);
      try (PreparedStatement s =
          held.prepareStatement("SELECT 1 FROM workflow WHERE id = ANY(?) FOR KEY SHARE")) {
        s.setArray(
            1,
            held.createArrayOf(
                "uuid", new Object[] {UUID.fromString(firstId), UUID.fromString(secondId)}));
        s.executeQuery().close();
      }
      CompletableFuture<Api.Response> one =
          CompletableFuture.supplyAsync(() -> api.delete("/api/v1/workflows/" + firstId));
      CompletableFuture<Api.Response> two =
          CompletableFuture.supplyAsync(() -> api.delete("/api/v1/workflows/" + secondId));
      awaitWaitingOnLocks(2, one, two);
      held.commit();
      assertThat(one.get(30, TimeUnit.SECONDS).status()).isEqualTo(204);
      assertThat(two.get(30, TimeUnit.SECONDS).status()).isEqualTo(204);
    }

    assertThat(
            jdbc.sql("SELECT count(*) FROM workflow WHERE id IN (:one, :two)")
                .param("one", UUID.fromString(firstId))
                .param("two", UUID.fromString(secondId))
                .query(Long.class)
                .single())
        .as("both runs gone")
        .isZero();
    assertThat(stores.get(a.toString())).as("shared, and no task names it any more").isEmpty();
    assertThat(stores.get(b.toString())).isEmpty();
    assertThat(stores.get(c.toString())).isEmpty();
  }

  /**
   * Waits until {@code n} of the database's sessions wait on a lock, or one of {@code done} ended
   * (then nothing held it: the caller's assertions say whether that was right).
   */
  private void awaitWaitingOnLocks(int n, CompletableFuture<?>... done) {
    LockWaits.awaitWaiting(
        jdbc,
        n,
        Duration.ofSeconds(20),
        () -> java.util.Arrays.stream(done).anyMatch(CompletableFuture::isDone));
  }
}
