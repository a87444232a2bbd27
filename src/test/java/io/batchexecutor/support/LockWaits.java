package io.batchexecutor.support;

import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/** For tests that make PostgreSQL sessions wait for each other's locks. */
public final class LockWaits {

  private LockWaits() {}

  /**
   * Runs {@code victim} into a real deadlock and returns what it gives. A second session locks with
   * {@code heldFirst}, {@code victim} starts on another thread and waits for that lock while
   * holding one of its own, then the second session asks for that one with {@code thenTaken}. The
   * second session looks for deadlocks only after 30 s, so PostgreSQL breaks this one by rolling
   * back {@code victim}'s transaction; the second session then lets go of everything.
   */
  public static <T> T deadlocked(
      DataSource dataSource, String heldFirst, String thenTaken, Callable<T> victim)
      throws Exception {
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try (Connection other = dataSource.getConnection()) {
      other.setAutoCommit(false);
      try (Statement sql = other.createStatement()) {
        sql.execute("SET LOCAL deadlock_timeout = '30s'");
        sql.execute(heldFirst);
        var outcome = thread.submit(victim);
        awaitSomeoneWaiting(JdbcClient.create(dataSource));
        sql.execute(thenTaken);
        other.rollback();
        return outcome.get(30, TimeUnit.SECONDS);
      }
    } finally {
      thread.shutdownNow();
    }
  }

  /** Returns once some session of the current database waits for a lock (5 s at most). */
  private static void awaitSomeoneWaiting(JdbcClient jdbc) {
    awaitWaiting(jdbc, 1, Duration.ofSeconds(5), () -> false);
  }

  /**
   * Returns once {@code n} sessions of the current database wait for a lock, or as soon as {@code
   * over} says so (what was to wait ended: nothing held it); fails after {@code within}.
   */
  public static void awaitWaiting(
      JdbcClient jdbc, int n, Duration within, java.util.function.BooleanSupplier over) {
    await(n + " sessions waiting for a lock")
        .atMost(within)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () ->
                over.getAsBoolean()
                    || jdbc.sql(
                                """
                                SELECT count(*) FROM pg_stat_activity
                                WHERE datname = current_database() AND wait_event_type = 'Lock'
                                """)
                            .query(Long.class)
                            .single()
                        >= n);
  }
}
