package io.batchexecutor.task;

import static io.batchexecutor.support.TaskBuilder.aTask;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.ServiceTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The claim serves clients in turn, on the real PostgreSQL, and reads only a few of their rows. */
@ServiceTest
class ClaimInTurnsTest {

  static final WatchedTasks NO_WATCH = WatchedTasks.none("local");
  static final List<String> NONE = List.of("none");
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Autowired TaskRepository tasks;
  @Autowired WorkQueue queue;
  @Autowired JdbcClient jdbc;
  @Autowired TransactionTemplate tx;

  @BeforeEach
  void empty() {
    jdbc.sql("DELETE FROM task").update();
  }

  @Test
  void aClaimTakesOneTaskOfEachClientBeforeASecondOfAny() {
    queued("client-a", 100, T0);
    Task b = queued("client-b", 1, T0.plusSeconds(1)).get(0);
    Task c = queued("client-c", 1, T0.plusSeconds(2)).get(0);

    List<Task> claimed =
        queue.claimDue("me", NONE, 3, T0.plusSeconds(10), T0.plusSeconds(70), NO_WATCH);

    assertThat(claimed)
        .extracting(Task::owner)
        .containsExactlyInAnyOrder("client-a", "client-b", "client-c");
    assertThat(claimed).extracting(Task::id).contains(b.id(), c.id());
    assertThat(
            jdbc.sql("SELECT count(*) FROM task_event WHERE kind = 'CLAIMED'")
                .query(Long.class)
                .single())
        .isEqualTo(3);
  }

  @Test
  void eachClientsTasksAreTakenOldestFirstAndTheRestOfABatchGoesRound() {
    List<Task> a = queued("client-a", 10, T0);
    List<Task> b = queued("client-b", 2, T0.plusSeconds(5));

    List<Task> claimed =
        queue.claimDue("me", NONE, 6, T0.plusSeconds(10), T0.plusSeconds(70), NO_WATCH);

    assertThat(claimed)
        .extracting(Task::id)
        .containsExactlyInAnyOrder(
            a.get(0).id(),
            a.get(1).id(),
            a.get(2).id(),
            a.get(3).id(),
            b.get(0).id(),
            b.get(1).id());
  }

  @Test
  void aClientWithTasksInFlightWaitsBehindOneWithNone() {
    queued("client-a", 10, T0);
    queue.claimDue("me", NONE, 2, T0.plusSeconds(1), T0.plusSeconds(70), NO_WATCH);
    List<Task> b = queued("client-b", 5, T0.plusSeconds(2));

    List<Task> claimed =
        queue.claimDue("me", NONE, 2, T0.plusSeconds(10), T0.plusSeconds(70), NO_WATCH);

    assertThat(claimed)
        .as("b has nothing in flight, a two: b's first two turns come before a's next")
        .extracting(Task::id)
        .containsExactlyInAnyOrder(b.get(0).id(), b.get(1).id());
  }

  @Test
  void aClientThatQueuedLongAgoDoesNotWinEveryTie() {
    queued("client-a", 50, T0);
    Task b = queued("client-b", 1, T0.plusSeconds(5)).get(0);

    boolean bServed = false;
    for (int claim = 0; claim < 40 && !bServed; claim++) {
      Task one =
          queue.claimDue("me", NONE, 1, T0.plusSeconds(10), T0.plusSeconds(70), NO_WATCH).get(0);
      bServed = one.id().equals(b.id());
      // a's task leaves the queue and holds no lease: a and b stay on the same turn
      queue.release(one.id(), "me", T0.plusSeconds(3600));
    }

    assertThat(bServed).as("b's one task is claimed among a's fifty, not after them").isTrue();
  }

  @Test
  void anInstanceClaimsOnlyTasksOfTheBackendsItRuns() {
    Task none = queued("client-a", 1, T0).get(0);
    Task local = aTask().owner("client-a").backend("local").acceptedAt(T0).build();
    Task batch = aTask().owner("client-b").backend("awsbatch").acceptedAt(T0).build();
    tasks.insert(local, null, null);
    tasks.insert(batch, null, null);

    assertThat(
            queue.claimDue(
                "me", List.of("local"), 10, T0.plusSeconds(1), T0.plusSeconds(60), NO_WATCH))
        .extracting(Task::id)
        .containsExactly(local.id());
    assertThat(
            queue.claimDue(
                "me",
                List.of("none", "awsbatch"),
                10,
                T0.plusSeconds(1),
                T0.plusSeconds(60),
                NO_WATCH))
        .extracting(Task::id)
        .containsExactlyInAnyOrder(none.id(), batch.id());
  }

  @Test
  void aClaimReadsAFewRowsHoweverManyTasksOneClientQueued() {
    copies(queued("client-a", 1, T0).get(0), 20_000);
    queued("client-b", 1, T0.plusSeconds(1));
    queued("client-c", 1, T0.plusSeconds(2));
    jdbc.sql("ANALYZE task").update();

    assertThat(rowsReadByAGenericClaim(8)).isLessThan(200);
  }

  @Test
  void aClaimOnStatisticsOfANearlyEmptyTableReadsAFewRows() {
    Task first = queued("client-a", 1, T0).get(0);
    jdbc.sql("ANALYZE task").update();
    copies(first, 20_000);
    queued("client-b", 1, T0.plusSeconds(1));
    queued("client-c", 1, T0.plusSeconds(2));

    assertThat(rowsReadByAGenericClaim(8)).isLessThan(200);
  }

  @Test
  void aClaimOnStatisticsTakenWhileEveryTaskWasLeasedReadsAFewRows() {
    Task first = queued("client-a", 1, T0).get(0);
    copies(first, 5_000);
    jdbc.sql("UPDATE task SET lease_owner = 'x', lease_expires_at = created_at").update();
    jdbc.sql("ANALYZE task").update();
    jdbc.sql("DELETE FROM task WHERE id <> :id").param("id", first.id()).update();
    jdbc.sql("UPDATE task SET lease_owner = NULL, lease_expires_at = NULL").update();
    copies(first, 20_000);
    queued("client-b", 1, T0.plusSeconds(1));
    queued("client-c", 1, T0.plusSeconds(2));

    assertThat(rowsReadByAGenericClaim(8)).isLessThan(200);
  }

  @Test
  void aClaimOnStatisticsOfATableAnotherClientFilledReadsAFewRows() {
    Task first = queued("zz-other", 1, T0).get(0);
    copies(first, 5_000);
    jdbc.sql("UPDATE task SET status = 'SUCCEEDED'").update();
    jdbc.sql("ANALYZE task").update();
    Task a = queued("client-a", 1, T0).get(0);
    copies(a, 20_000);
    queued("client-b", 1, T0.plusSeconds(1));
    queued("client-c", 1, T0.plusSeconds(2));

    assertThat(rowsReadByAGenericClaim(8)).isLessThan(200);
  }

  private List<Task> queued(String owner, int count, Instant at) {
    List<Task> made = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Task task = aTask().owner(owner).acceptedAt(at.plusMillis(i)).build();
      tasks.insert(task, null, null);
      made.add(task);
    }
    return made;
  }

  /** {@code count} more tasks like {@code task}, due a microsecond apart after it (setup only). */
  private void copies(Task task, int count) {
    jdbc.sql(
            """
            INSERT INTO task
            SELECT r.* FROM task t, generate_series(1, :count) g,
                LATERAL jsonb_populate_record(t, jsonb_build_object(
                    'id', gen_random_uuid(),
                    'created_at', t.created_at + g * interval '1 microsecond',
                    'next_run_at', t.next_run_at + g * interval '1 microsecond')) r
            WHERE t.id = :id
            """)
        .param("count", count)
        .param("id", task.id())
        .update();
  }

  /**
   * Runs the claim as the service does, on its generic plan, under EXPLAIN ANALYZE (rolled back),
   * and adds up the rows its scans of {@code task} read, kept or filtered out.
   */
  private long rowsReadByAGenericClaim(int limit) {
    Pattern named =
        Pattern.compile(
            "(?<!:):(owner|until|now|limit|backends|watchedBackend|watchedStatuses)\\b");
    List<String> order =
        List.of("owner", "until", "now", "limit", "backends", "watchedBackend", "watchedStatuses");
    Matcher m = named.matcher(ClaimInTurns.SQL);
    StringBuilder positional = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(positional, "\\$" + (order.indexOf(m.group(1)) + 1));
    }
    m.appendTail(positional);
    String plan =
        tx.execute(
            status -> {
              status.setRollbackOnly();
              WorkQueue.planClaim(jdbc);
              jdbc.sql(
                      "PREPARE fair_claim(text, timestamptz, timestamptz, int, text[], text, text[]) AS "
                          + positional)
                  .update();
              String explained =
                  jdbc.sql(
                          """
                          EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE fair_claim('me',
                              '%s', '%s', %d, '{none}', 'awsbatch', '{RUNNING}')
                          """
                              .formatted(T0.plusSeconds(600), T0.plusSeconds(60), limit))
                      .query(String.class)
                      .single();
              jdbc.sql("DEALLOCATE fair_claim").update();
              return explained;
            });
    JsonNode root = JsonMapper.builder().build().readTree(plan).get(0);
    assertThat(root.get("Plan").toString()).contains("task_due_by_owner");
    return rowsReadFromTask(root.get("Plan"));
  }

  private static long rowsReadFromTask(JsonNode node) {
    long read = 0;
    if ("task".equals(node.path("Relation Name").asString(""))) {
      read =
          (node.path("Actual Rows").asLong()
                  + node.path("Rows Removed by Filter").asLong()
                  + node.path("Rows Removed by Index Recheck").asLong())
              * Math.max(1, node.path("Actual Loops").asLong());
    }
    for (JsonNode child : node.path("Plans")) {
      read += rowsReadFromTask(child);
    }
    return read;
  }
}
