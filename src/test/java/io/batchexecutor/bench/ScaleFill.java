package io.batchexecutor.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Not a test: fills a service's database with a history to measure the reads against (lists,
 * counts, the tasks gauge at a million tasks). Adds {@code bench.tasks} tasks (1,000,000) of client
 * {@code bench.owner} ({@code tester}), one a second back from 2026-01-01, all finished but the
 * last {@code bench.in-flight} (1,000) — straight into the tables, in statements of 1,000 rows,
 * each its own transaction (the triggers keep the finished totals as they go) — then analyses the
 * table.
 *
 * <pre>
 * ./mvnw -B test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.batchexecutor.bench.ScaleFill \
 *   -Dbench.url=jdbc:postgresql://127.0.0.1:PORT/batch_executor -Dbench.user=... \
 *   -Dbench.password=...
 * </pre>
 */
public final class ScaleFill {

  private static final int CHUNK = 1_000;

  private ScaleFill() {}

  public static void main(String[] args) throws SQLException {
    String url = System.getProperty("bench.url");
    if (url == null) {
      throw new IllegalArgumentException("-Dbench.url=jdbc:postgresql://... is needed");
    }
    String owner = System.getProperty("bench.owner", "tester");
    int tasks = Integer.getInteger("bench.tasks", 1_000_000);
    int inFlight = Integer.getInteger("bench.in-flight", 1_000);
    try (Connection db =
        DriverManager.getConnection(
            url, System.getProperty("bench.user"), System.getProperty("bench.password"))) {
      db.setAutoCommit(true);
      try (PreparedStatement insert =
          db.prepareStatement(
              """
              INSERT INTO task (id, owner, name, status, spec, settings, backend, next_run_at,
                                created_at, updated_at, finished_at)
              SELECT gen_random_uuid(), ?, 'fill-' || i,
                     CASE WHEN i <= ? THEN (ARRAY['SUCCEEDED','FAILED','CANCELLED'])[1 + i % 3]
                          ELSE 'QUEUED' END,
                     '{}', '{}', 'none', t, t, t, CASE WHEN i <= ? THEN t END
              FROM generate_series(?, ?) AS i,
                   LATERAL (SELECT timestamptz '2026-01-01' - (? - i) * interval '1 second' AS t) at
              """)) {
        long started = System.nanoTime();
        for (int from = 1; from <= tasks; from += CHUNK) {
          insert.setString(1, owner);
          insert.setInt(2, tasks - inFlight);
          insert.setInt(3, tasks - inFlight);
          insert.setInt(4, from);
          insert.setInt(5, Math.min(tasks, from + CHUNK - 1));
          insert.setInt(6, tasks);
          insert.executeUpdate();
          if ((from / CHUNK) % 20 == 0) {
            System.out.printf(
                "%,d of %,d tasks, %d s%n",
                Math.min(tasks, from + CHUNK - 1),
                tasks,
                (System.nanoTime() - started) / 1_000_000_000L);
          }
        }
      }
      try (PreparedStatement analyse = db.prepareStatement("VACUUM ANALYZE task")) {
        analyse.execute();
      }
    }
  }
}
