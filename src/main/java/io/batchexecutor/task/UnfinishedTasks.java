package io.batchexecutor.task;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * How many tasks of a client are not yet ended (WAITING to RUNNING), and the check that keeps them
 * within its {@code max-unfinished-tasks}. The count reads the partial index of unfinished tasks
 * ({@code task_unfinished_owner_status}), so it costs in proportion to the client's unfinished
 * tasks (at most its limit, give or take a submission), never its finished ones.
 *
 * <p>The check runs on every submission, so it does not count every time: each instance keeps, per
 * client, the count it last read plus the tasks it accepted since, and reads the count again once
 * it is older than {@link #RECOUNT}. Submissions are neither locked nor serialised; the price is
 * that a limit may be passed by what other instances accepted within one {@code RECOUNT}. The
 * client's submissions still in flight on this instance when it recounts (reserved, not yet
 * committed, so not in the count) stay counted, so one instance never passes it; one that commits
 * just before a recount reads the count may be counted twice until the next recount, which errs on
 * refusing. A client's tasks that end are seen at the next recount, so a client refused at its
 * limit submits again at most {@code RECOUNT} after its tasks ended.
 */
@Repository
public class UnfinishedTasks {

  /** How long a client's count is used, with this instance's submissions added, before another. */
  public static final Duration RECOUNT = Duration.ofSeconds(1);

  private final JdbcClient jdbc;
  private final Clock clock;
  private final Map<String, Estimate> estimates = new ConcurrentHashMap<>();

  UnfinishedTasks(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /**
   * A client's count as last read, when, what this instance stored since, and what it reserved and
   * has not yet stored or given back (in flight: not in a count read before it commits, so a
   * recount keeps it).
   */
  private static final class Estimate {
    long counted;
    Instant countedAt;
    long added;
    long inFlight;
  }

  /**
   * Tasks counted by {@link #hold} until their submission settles: stored (counted until the next
   * recount reads them) or not (given back). Settling twice counts once.
   */
  public static final class Reservation {
    private final Estimate estimate;
    private final int adding;
    private boolean settled;

    private Reservation(Estimate estimate, int adding) {
      this.estimate = estimate;
      this.adding = adding;
    }

    /** The submission stored its tasks ({@code true}) or nothing ({@code false}). */
    public void settle(boolean stored) {
      synchronized (estimate) {
        if (settled) {
          return;
        }
        settled = true;
        estimate.inFlight = Math.max(0, estimate.inFlight - adding);
        if (stored) {
          // counted even if a recount has read it already: errs on refusing, until the next
          estimate.added += adding;
        }
      }
    }
  }

  /** How many tasks of {@code owner}'s are not yet ended. */
  public long of(String owner) {
    return jdbc.sql("SELECT count(*) FROM task WHERE owner = :owner AND " + TaskRows.NOT_FINAL)
        .param("owner", owner)
        .query(Long.class)
        .single();
  }

  /**
   * How many tasks each of {@code owners} has not yet ended, by name: one statement that reads the
   * index for each owner (never the whole table).
   */
  public Map<String, Long> of(Collection<String> owners) {
    Map<String, Long> counts = new LinkedHashMap<>();
    jdbc.sql(
            "SELECT o.owner, (SELECT count(*) FROM task t WHERE t.owner = o.owner AND t."
                + TaskRows.NOT_FINAL
                + ") AS n FROM unnest(CAST(:owners AS text[])) AS o(owner) ORDER BY o.owner")
        .param("owners", owners.toArray(String[]::new))
        .query((RowCallbackHandler) rs -> counts.put(rs.getString("owner"), rs.getLong("n")));
    return counts;
  }

  /**
   * Refuses, with {@link SubmissionRefusedException#tooManyUnfinished}, {@code adding} more tasks
   * of {@code owner} when they would pass {@code max} by this instance's estimate (see the class);
   * otherwise counts them in it: in a transaction, as in flight until it completes (stored if it
   * commits); outside one, as stored at once (the caller gives back what it does not store).
   */
  public void reserve(String owner, int adding, int max) {
    Reservation held = hold(owner, adding, max);
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      // a submission whose transaction does not commit stored nothing: it no longer counts
      TransactionSynchronizationManager.registerSynchronization(
          new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
              held.settle(status == STATUS_COMMITTED);
            }
          });
    } else {
      held.settle(true);
    }
  }

  /**
   * As {@link #reserve}, the tasks in flight until the caller settles the reservation: a recount
   * meanwhile (which cannot see them yet) keeps counting them.
   */
  public Reservation hold(String owner, int adding, int max) {
    Instant now = clock.instant();
    Estimate estimate = estimates.computeIfAbsent(owner, o -> new Estimate());
    synchronized (estimate) {
      if (estimate.countedAt == null
          || now.isBefore(estimate.countedAt)
          || !now.isBefore(estimate.countedAt.plus(RECOUNT))) {
        estimate.counted = of(owner);
        estimate.countedAt = now;
        estimate.added = 0;
      }
      long unfinished = estimate.counted + estimate.added + estimate.inFlight;
      if (unfinished + adding > max) {
        throw SubmissionRefusedException.tooManyUnfinished(max, unfinished, adding);
      }
      estimate.inFlight += adding;
      return new Reservation(estimate, adding);
    }
  }

  /**
   * Takes back {@code adding} tasks of {@code owner} counted as stored by {@link #reserve} that
   * were not stored after all.
   */
  public void giveBack(String owner, int adding) {
    Estimate estimate = estimates.get(owner);
    if (estimate != null) {
      synchronized (estimate) {
        estimate.added = Math.max(0, estimate.added - adding);
      }
    }
  }
}
