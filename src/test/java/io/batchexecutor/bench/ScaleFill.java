package io.batchexecutor.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Not a test: fills a service's database with a history to measure the reads against (lists,
 * counts, the tasks gauge at a million tasks). Adds {@code bench.tasks} tasks (1,000,000) of client
 * {@code bench.owner} ({@code tester}), one a second back from 2026-01-01, all finished but the
 * last {@code bench.in-flight} (1,000), and {@code bench.workflows} workflows (one per 100 tasks)
 * of three finished tasks each — straight into the tables, in statements of 1,000 rows, each its
 * own transaction (the triggers keep the finished totals as they go) — then analyses the tables.
 *
 * <p>Each task is as large as one the service stored: its spec and settings are those of the
 * client's newest task when there is one (submit one through the API first), its pointers as long
 * as the local backend's, and a finished task has the events a staged task on the local engine gets
 * (accepted, claimed, BUILDING, SUBMITTED, its attempt, RUNNING, the end: {@link #EVENTS}), an
 * unfinished one its first.
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

  /** The events of a finished task: milliseconds after its creation, kind, from, to, reason. */
  static final String EVENTS =
      """
      (0, 'STATUS', NULL, 'QUEUED', 'accepted', '{}'),
      (9, 'CLAIMED', 'QUEUED', 'QUEUED', 'claimed by 0f9a7c3e-5d1b-4c8e-9a2f-6b3d8e1c4a70',
       '{"instance": "0f9a7c3e-5d1b-4c8e-9a2f-6b3d8e1c4a70"}'),
      (19, 'STATUS', 'QUEUED', 'BUILDING', 'environment image found', '{}'),
      (41, 'STATUS', 'BUILDING', 'SUBMITTED', 'container created',
       '{"container_id": "4f1c2d9e8b7a6f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6"}'),
      (130, 'ATTEMPT', NULL, NULL, 'attempt 1 started',
       '{"attempt": 1, "container_id": "4f1c2d9e8b7a6f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6"}'),
      (131, 'STATUS', 'SUBMITTED', 'RUNNING', 'running in container 4f1c2d9e8b7a', '{}'),
      (200, 'STATUS', 'RUNNING', NULL, NULL, '{}')
      """;

  /**
   * An id ordered by the time {@code %s} (its milliseconds first), as the service's version 7 ids
   * are: rows of one moment land side by side in the primary key and in every index on the id.
   */
  private static final String TIME_ORDERED =
      """
      CAST(lpad(to_hex(CAST(extract(epoch FROM %s) * 1000 AS bigint)), 12, '0') || '7'
           || substr(md5(random()::text), 1, 3) || '8' || substr(md5(random()::text), 1, 15)
           AS uuid)""";

  private ScaleFill() {}

  public static void main(String[] args) throws SQLException {
    String url = System.getProperty("bench.url");
    if (url == null) {
      throw new IllegalArgumentException("-Dbench.url=jdbc:postgresql://... is needed");
    }
    int tasks = Integer.getInteger("bench.tasks", 1_000_000);
    try (Connection db =
        DriverManager.getConnection(
            url, System.getProperty("bench.user"), System.getProperty("bench.password"))) {
      fill(
          db,
          System.getProperty("bench.owner", "tester"),
          tasks,
          Integer.getInteger("bench.in-flight", 1_000),
          Integer.getInteger("bench.workflows", tasks / 100),
          "");
    }
  }

  /**
   * Adds {@code tasks} tasks of {@code owner}, the last {@code inFlight} of them QUEUED, and {@code
   * workflows} workflows of three finished tasks; {@code progress} prefixes the lines it prints.
   */
  static void fill(
      Connection db, String owner, int tasks, int inFlight, int workflows, String progress)
      throws SQLException {
    db.setAutoCommit(true);
    try (PreparedStatement insert = db.prepareStatement(insertTasks());
        PreparedStatement insertWorkflows = db.prepareStatement(insertWorkflows())) {
      long started = System.nanoTime();
      for (int from = 1; from <= tasks; from += CHUNK) {
        insert.setString(1, owner);
        insert.setInt(2, tasks - inFlight);
        insert.setInt(3, from);
        insert.setInt(4, Math.min(tasks, from + CHUNK - 1));
        insert.setInt(5, tasks);
        insert.executeUpdate();
        if ((from / CHUNK) % 100 == 0) {
          System.out.printf(
              "%s%,d of %,d tasks, %d s%n",
              progress,
              Math.min(tasks, from + CHUNK - 1),
              tasks,
              (System.nanoTime() - started) / 1_000_000_000L);
        }
      }
      for (int from = 1; from <= workflows; from += CHUNK / 3) {
        insertWorkflows.setString(1, owner);
        insertWorkflows.setInt(2, 0);
        insertWorkflows.setInt(3, from);
        insertWorkflows.setInt(4, Math.min(workflows, from + CHUNK / 3 - 1));
        insertWorkflows.setInt(5, workflows);
        insertWorkflows.executeUpdate();
      }
    }
    try (Statement analyse = db.createStatement()) {
      analyse.execute("VACUUM ANALYZE task");
      analyse.execute("VACUUM ANALYZE task_event");
      analyse.execute("VACUUM ANALYZE workflow");
      analyse.execute("VACUUM ANALYZE task_finished_count");
    }
  }

  /**
   * The parameters ({@code owner}, {@code finished} (the last finished number), {@code first},
   * {@code last}, {@code total}) and the client's newest task's spec and settings ({@code tpl},
   * empty ones when it has none).
   */
  private static final String PARAMETERS =
      """
      p AS (SELECT CAST(? AS text) AS owner, CAST(? AS int) AS finished, CAST(? AS int) AS first,
                   CAST(? AS int) AS last, CAST(? AS int) AS total),
      newest AS (SELECT spec, settings FROM task, p
                 WHERE task.owner = p.owner AND name NOT LIKE 'fill-%'
                 ORDER BY created_at DESC LIMIT 1),
      tpl AS (SELECT coalesce((SELECT spec FROM newest), '{}') AS spec,
                     coalesce((SELECT settings FROM newest), '{}') AS settings)
      """;

  /** Tasks {@code first..last} of {@code total}, with their events. */
  private static String insertTasks() {
    return """
        WITH %s, made AS (
          INSERT INTO task (id, owner, name, status, spec, settings, backend, image_ref,
                            container_id, attempts, exit_code, result_pointer, logs_pointer,
                            next_run_at, created_at, updated_at, finished_at)
          SELECT id, p.owner, 'fill-' || i, CASE WHEN fin THEN
                     (ARRAY['SUCCEEDED','SUCCEEDED','SUCCEEDED','FAILED','CANCELLED'])[1 + i %% 5]
                 ELSE 'QUEUED' END,
                 tpl.spec, tpl.settings, 'local',
                 CASE WHEN fin THEN 'batch-executor-env:0f3c9a1d2b8e7f6a5c4d3e2f1a0b9c8d7e6f5a4b' END,
                 CASE WHEN fin THEN
                   '4f1c2d9e8b7a6f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6' END,
                 CASE WHEN fin THEN 1 ELSE 0 END, CASE WHEN fin THEN 0 END,
                 CASE WHEN fin THEN 'file:///var/lib/batch-executor/results/tasks/' || id
                                    || '/result.json' END,
                 CASE WHEN fin THEN 'file:///var/lib/batch-executor/results/tasks/' || id
                                    || '/logs.txt' END,
                 t, t, t + interval '200 milliseconds',
                 CASE WHEN fin THEN t + interval '200 milliseconds' END
          FROM p, tpl, generate_series(p.first, p.last) AS i,
               LATERAL (SELECT timestamptz '2026-01-01' - (p.total - i) * interval '1 second' AS t,
                               i <= p.finished AS fin) at,
               LATERAL (SELECT %s AS id) made_id
          RETURNING id, status, created_at, finished_at)
        INSERT INTO task_event (task_id, at, kind, from_status, to_status, reason, details)
        SELECT made.id, made.created_at + e.ms * interval '1 millisecond', e.kind, e.f,
               CASE WHEN e.ms = 200 THEN made.status ELSE e.t END,
               CASE WHEN e.ms = 200 THEN lower(made.status) ELSE e.reason END, e.details::jsonb
        FROM made CROSS JOIN (VALUES %s) AS e (ms, kind, f, t, reason, details)
        WHERE made.finished_at IS NOT NULL OR e.ms = 0
        """
        .formatted(PARAMETERS, TIME_ORDERED.formatted("at.t"), EVENTS);
  }

  /** Workflows {@code first..last} of {@code total}, three finished tasks each. */
  private static String insertWorkflows() {
    return """
        WITH %s, w AS (
          INSERT INTO workflow (id, owner, name, created_at)
          SELECT %s, p.owner, 'fill-w' || i, c.t
          FROM p, generate_series(p.first, p.last) AS i,
               LATERAL (SELECT timestamptz '2026-01-01' - (p.total - i) * interval '100 seconds'
                        AS t) c
          RETURNING id, owner, created_at)
        INSERT INTO task (id, owner, name, status, spec, settings, backend, next_run_at,
                          created_at, updated_at, finished_at, workflow_id, workflow_key)
        SELECT %s, w.owner, 'fill-k' || k, 'SUCCEEDED', tpl.spec, tpl.settings,
               'local', w.created_at, w.created_at, w.created_at, w.created_at, w.id, 'k' || k
        FROM w, tpl, generate_series(1, 3) AS k
        """
        .formatted(
            PARAMETERS, TIME_ORDERED.formatted("c.t"), TIME_ORDERED.formatted("w.created_at"));
  }
}
