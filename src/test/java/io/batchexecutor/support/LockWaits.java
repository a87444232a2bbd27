package io.batchexecutor.support;

import org.springframework.jdbc.core.simple.JdbcClient;

/** For tests that make PostgreSQL sessions wait for each other's locks. */
public final class LockWaits {

  private LockWaits() {}

  /** Returns once some session of the current database waits for a lock (5 s at most). */
  public static void awaitSomeoneWaiting(JdbcClient jdbc) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      long waiting =
          jdbc.sql(
                  """
                  SELECT count(*) FROM pg_stat_activity
                  WHERE datname = current_database() AND wait_event_type = 'Lock'
                  """)
              .query(Long.class)
              .single();
      if (waiting > 0) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no session waited for a lock");
  }
}
