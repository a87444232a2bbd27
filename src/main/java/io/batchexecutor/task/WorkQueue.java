package io.batchexecutor.task;

import static io.batchexecutor.task.TaskRows.ts;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The tasks as a queue of work, db-scheduler's way: a due task is claimed with a lease (rows
 * another claimer holds are skipped, never waited for), the holder renews the lease while it works,
 * gives it up when it stops, and a lease that runs out puts the task back in the queue. A cancel
 * request ({@link CancelRequests}) makes a task due at once, so that whoever holds it hears of it.
 */
@Repository
public class WorkQueue {

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final TaskRows rows;
  private final TaskEventRows eventRows;

  WorkQueue(JdbcClient jdbc, TransactionTemplate tx, TaskRows rows, TaskEventRows eventRows) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.rows = rows;
    this.eventRows = eventRows;
  }

  /**
   * Claims up to {@code limit} due tasks of {@code backends} for {@code leaseOwner} in one
   * statement, serving their owners in turn ({@link ClaimInTurns}): unleased, unfinished, not
   * WAITING, due by {@code now}, not among the tasks {@code watched} leaves to its poller. Each
   * claim is recorded in the task's history ({@code CLAIMED}, with the instance).
   *
   * @param backends the backends whose tasks this instance runs, as tasks record them
   */
  public List<Task> claimDue(
      String leaseOwner,
      List<String> backends,
      int limit,
      Instant now,
      Instant leaseUntil,
      WatchedTasks watched) {
    return claim(ClaimInTurns.SQL, leaseOwner, backends, limit, now, leaseUntil, watched);
  }

  /**
   * Claims up to {@code limit} due tasks that {@code watched} leaves to its backend's poller, for
   * one batched look at their jobs.
   */
  public List<Task> claimWatched(
      String leaseOwner, int limit, Instant now, Instant leaseUntil, WatchedTasks watched) {
    return claim(
        """
            UPDATE task SET lease_owner = :owner, lease_expires_at = :until, version = version + 1
            WHERE id IN (SELECT id FROM task
                         WHERE lease_owner IS NULL AND next_run_at <= :now AND %s
                         ORDER BY next_run_at
                         LIMIT :limit
                         FOR UPDATE SKIP LOCKED)
            RETURNING *
            """
            .formatted(ClaimInTurns.WATCHED),
        leaseOwner,
        List.of(watched.backend()),
        limit,
        now,
        leaseUntil,
        watched);
  }

  /**
   * How the claim is planned, in its transaction. One plan for every claim: while tasks are queued,
   * PostgreSQL's estimates keep choosing to plan the claim anew at each call, which costs more than
   * running it; the generic plan walks the same indexes (task_due_by_owner, task_due_in_order for
   * the poller's). And those indexes, in their order: statistics taken before a burst of
   * submissions (autovacuum analyzes the table again only after it) make a client's queue look a
   * few rows long, so that a scan of the table, or of another index on the owner followed by a
   * sort, looks as cheap — and the claim would read every queued task of the client until the
   * statistics are renewed (seen with statistics of a one-task table under 20,000 queued tasks, and
   * with statistics of a table another client filled: an index on the owner alone followed by an
   * incremental sort). The sorts the statement cannot do without (of the few rows claimed) stay.
   */
  static void planClaim(JdbcClient jdbc) {
    // one round trip: SET LOCAL of the four, as set_config(..., true) does
    jdbc.sql(
            """
            SELECT set_config('plan_cache_mode', 'force_generic_plan', true),
                   set_config('enable_seqscan', 'off', true),
                   set_config('enable_sort', 'off', true),
                   set_config('enable_incremental_sort', 'off', true)
            """)
        .query()
        .listOfRows();
  }

  private List<Task> claim(
      String sql,
      String leaseOwner,
      List<String> backends,
      int limit,
      Instant now,
      Instant leaseUntil,
      WatchedTasks watched) {
    return tx.execute(
        status -> {
          planClaim(jdbc);
          return jdbc.sql(sql)
              .param("owner", leaseOwner)
              .param("until", ts(leaseUntil))
              .param("now", ts(now))
              .param("limit", limit)
              .param("backends", backends.toArray(String[]::new))
              .param("watchedBackend", watched.backend())
              .param("watchedStatuses", watched.statusNames())
              .query(rows.task)
              .list();
        });
  }

  /**
   * Extends the leases {@code leaseOwner} holds on {@code ids}.
   *
   * @return the ids among them whose lease is still held (a lease that was reaped is lost)
   */
  public List<UUID> renewLeases(String leaseOwner, Collection<UUID> ids, Instant leaseUntil) {
    if (ids.isEmpty()) {
      return List.of();
    }
    return jdbc.sql(
            """
            UPDATE task SET lease_expires_at = :until
            WHERE id = ANY(:ids) AND lease_owner = :owner
            RETURNING id
            """)
        .param("until", ts(leaseUntil))
        .param("ids", ids.toArray(UUID[]::new))
        .param("owner", leaseOwner)
        .query(UUID.class)
        .list();
  }

  /** Gives up the lease on a task, to be picked up again from {@code nextRunAt}. */
  public boolean release(UUID id, String leaseOwner, Instant nextRunAt) {
    return jdbc.sql(
                """
                UPDATE task SET lease_owner = NULL, lease_expires_at = NULL, next_run_at = :next,
                       version = version + 1
                WHERE id = :id AND lease_owner = :owner
                """)
            .param("next", ts(nextRunAt))
            .param("id", id)
            .param("owner", leaseOwner)
            .update()
        == 1;
  }

  /**
   * Gives up the lease on a task after a step, to be picked up again from {@code nextRunAt}, or at
   * once ({@code now}) when a cancel request arrived while the step ran (the holder saw none when
   * it took the step up, or it would have cancelled instead). Answers whether it is due at once.
   */
  public boolean releaseAfterStep(UUID id, String leaseOwner, Instant nextRunAt, Instant now) {
    return jdbc.sql(
            """
            UPDATE task SET lease_owner = NULL, lease_expires_at = NULL,
                   next_run_at = CASE WHEN cancel_requested_at IS NULL THEN :next
                                      ELSE least(:next, :now) END,
                   version = version + 1
            WHERE id = :id AND lease_owner = :owner
            RETURNING cancel_requested_at IS NOT NULL
            """)
        .param("next", ts(nextRunAt))
        .param("now", ts(now))
        .param("id", id)
        .param("owner", leaseOwner)
        .query(Boolean.class)
        .optional()
        .orElse(false);
  }

  /**
   * Gives up every lease {@code leaseOwner} holds, and those of its parts ({@code
   * <leaseOwner>/<part>}, e.g. a backend's poller), due at once elsewhere: a graceful shutdown.
   */
  public int releaseAll(String leaseOwner, Instant now) {
    int released =
        jdbc.sql(
                """
                UPDATE task SET lease_owner = NULL, lease_expires_at = NULL, next_run_at = :now,
                       version = version + 1
                WHERE lease_owner = :owner OR starts_with(lease_owner, :owner || '/')
                """)
            .param("now", ts(now))
            .param("owner", leaseOwner)
            .update();
    if (released > 0) {
      rows.pgNotify(TaskNotifications.DUE_CHANNEL, "");
    }
    return released;
  }

  /** A task whose lease ran out, returned to the queue by {@link #reapExpiredLeases}. */
  public record Reaped(UUID id, String previousOwner, TaskStatus status) {}

  /** Returns tasks whose leases expired before {@code now} to the queue, with an event each. */
  public List<Reaped> reapExpiredLeases(Instant now) {
    List<Reaped> reaped = tx.execute(status -> reapIn(now));
    if (reaped != null && !reaped.isEmpty()) {
      rows.pgNotify(TaskNotifications.DUE_CHANNEL, "");
    }
    return reaped == null ? List.of() : reaped;
  }

  private List<Reaped> reapIn(Instant now) {
    List<Reaped> reaped =
        jdbc.sql(
                """
                WITH expired AS (
                    SELECT id, lease_owner FROM task
                    WHERE lease_owner IS NOT NULL AND lease_expires_at < :now
                    FOR UPDATE SKIP LOCKED)
                UPDATE task t SET lease_owner = NULL, lease_expires_at = NULL,
                       next_run_at = :now, version = t.version + 1
                FROM expired e WHERE t.id = e.id
                RETURNING t.id, e.lease_owner AS previous_owner, t.status
                """)
            .param("now", ts(now))
            .query(
                (rs, n) ->
                    new Reaped(
                        rs.getObject("id", UUID.class),
                        rs.getString("previous_owner"),
                        TaskStatus.valueOf(rs.getString("status"))))
            .list();
    eventRows.insertEventRows(
        reaped.stream()
            .map(
                r ->
                    eventRows.eventParams(
                        r.id(),
                        new TaskEvent(
                            now,
                            EventKind.LEASE_EXPIRED,
                            r.status(),
                            r.status(),
                            "the lease of " + r.previousOwner() + " expired; back in the queue",
                            Map.of("previous_owner", r.previousOwner())))));
    return reaped;
  }
}
