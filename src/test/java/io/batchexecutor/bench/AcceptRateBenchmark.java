package io.batchexecutor.bench;

import io.batchexecutor.support.Api;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark, not a test: how many tasks a second the service accepts, and how many its claim loop
 * ends, against what its own PostgreSQL commits of the same writes.
 *
 * <ol>
 *   <li>An API-only instance ({@code batch-executor.pipeline.enabled=false}, backend {@code none})
 *       on a fresh cache directory takes POSTs of valid tasks with a bearer token over loopback
 *       from {@code bench.connections} (16) threads, each with its own {@code
 *       java.net.http.HttpClient} on HTTP/1.1 (one keep-alive connection each), for a warm-up
 *       ({@code bench.warmup}, 5 s) and then a measured window ({@code bench.seconds}, 20 s):
 *       accepted/s, p50/p99 latency, non-2xx answers.
 *   <li>{@code pgbench} against the same embedded server, as many clients, as long: a task row, its
 *       first event and {@code pg_notify}, one transaction each, the literals copied from a task
 *       the service accepted; its rate and the service's share of it.
 *   <li>The claim loop: {@code bench.queued} (5000) tasks accepted by an API-only instance on a
 *       fresh cache directory, then an instance with the pipeline on and backend {@code none}
 *       (which ends each claimed task at once) started on that directory: tasks ended per second
 *       (first end to last, from {@code task_event}), and whether each task ended exactly once.
 * </ol>
 *
 * <pre>./mvnw process-test-classes exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.batchexecutor.bench.AcceptRateBenchmark [-Dbench.seconds=20]</pre>
 */
public final class AcceptRateBenchmark {

  private static final String DATABASE = "batch_executor";
  private static final String FINAL = "('SUCCEEDED','FAILED','CANCELLED')";
  private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial");

  public static void main(String[] args) throws Exception {
    int connections = Integer.getInteger("bench.connections", 16);
    int warmup = Integer.getInteger("bench.warmup", 5);
    int seconds = Integer.getInteger("bench.seconds", 20);
    int queued = Integer.getInteger("bench.queued", 5000);
    String apiOnly = "batch-executor.pipeline.enabled=false";
    String none = "batch-executor.backend=none";

    double pgbench;
    try (BenchService started = BenchService.start(apiOnly, none)) {
      drive(started.port, connections, warmup);
      Load load = drive(started.port, connections, seconds);
      pgbench = pgbench(started, connections, seconds);
      System.out.printf(
          Locale.ROOT,
          "accept path: API-only instance, %d connections, %d s after a %d s warm-up%n",
          connections,
          seconds,
          warmup);
      System.out.printf(
          Locale.ROOT,
          "  service   %8.0f accepted/s  p50 %.1f ms  p99 %.1f ms  non-2xx %d (of %d)%n",
          load.accepted() / (double) seconds,
          load.percentile(50),
          load.percentile(99),
          load.refused(),
          load.accepted() + load.refused());
      System.out.printf(
          Locale.ROOT,
          "  pgbench   %8.0f tx/s (task row + first event + pg_notify, -c%d -j2 -T%d)%n",
          pgbench,
          connections,
          seconds);
      System.out.printf(
          Locale.ROOT,
          "  ratio     %8.2f (goal >= 0.5; >= 1000/s, p99 <= 50 ms, 0 non-2xx)%n",
          load.accepted() / (double) seconds / pgbench);
    }

    Path cacheDir = BenchService.freshCacheDir();
    try {
      try (BenchService started = BenchService.start(cacheDir, false, apiOnly, none)) {
        post(started.port, connections, queued);
      }
      try (BenchService started = BenchService.start(cacheDir, false, none)) {
        claimLoop(started, queued, pgbench);
      }
    } finally {
      BenchService.delete(cacheDir);
    }
  }

  /** What the load generator saw in its measured window. */
  record Load(long accepted, long refused, long[] latencies) {

    double percentile(double p) {
      if (latencies.length == 0) {
        return Double.NaN;
      }
      int i = (int) Math.ceil(p / 100 * latencies.length) - 1;
      return latencies[Math.max(0, Math.min(i, latencies.length - 1))] / 1e6;
    }
  }

  /**
   * {@code connections} threads POST tasks back to back for {@code seconds}; counted are the
   * answers to requests sent and answered within that time.
   */
  private static Load drive(int port, int connections, int seconds) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(connections);
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    try {
      List<Future<long[]>> each = new ArrayList<>();
      AtomicInteger refused = new AtomicInteger();
      for (int c = 0; c < connections; c++) {
        int client = c;
        each.add(
            threads.submit(
                () -> {
                  HttpClient http = client();
                  long[] latencies = new long[1024];
                  int n = 0;
                  for (int i = 0; System.nanoTime() < end; i++) {
                    long sent = System.nanoTime();
                    int status = send(http, port, body(client, i));
                    long answered = System.nanoTime();
                    if (answered > end) {
                      break;
                    }
                    if (status / 100 != 2) {
                      refused.incrementAndGet();
                      continue;
                    }
                    if (n == latencies.length) {
                      latencies = Arrays.copyOf(latencies, n * 2);
                    }
                    latencies[n++] = answered - sent;
                  }
                  return Arrays.copyOf(latencies, n);
                }));
      }
      long[] all = new long[0];
      for (Future<long[]> f : each) {
        long[] some = f.get();
        int at = all.length;
        all = Arrays.copyOf(all, at + some.length);
        System.arraycopy(some, 0, all, at, some.length);
      }
      Arrays.sort(all);
      return new Load(all.length, refused.get(), all);
    } finally {
      threads.shutdownNow();
    }
  }

  /** {@code count} tasks accepted, from {@code connections} threads. */
  private static void post(int port, int connections, int count) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(connections);
    AtomicInteger next = new AtomicInteger();
    try {
      List<Future<?>> each = new ArrayList<>();
      for (int c = 0; c < connections; c++) {
        int client = c;
        each.add(
            threads.submit(
                () -> {
                  HttpClient http = client();
                  for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    int status = send(http, port, body(client, i));
                    if (status != 202) {
                      throw new IllegalStateException("the service answered " + status);
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : each) {
        f.get();
      }
    } finally {
      threads.shutdownNow();
    }
  }

  private static HttpClient client() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  private static String body(int client, int i) {
    return "{\"name\":\"add\",\"function\":{\"source\":\"def task(x, y):\\n    return x + y\\n\","
        + "\"name\":\"task\"},\"args\":["
        + client
        + ","
        + i
        + "],\"kwargs\":{}}";
  }

  private static int send(HttpClient http, int port, String body)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/tasks"))
            .header("Authorization", "Bearer " + Api.TESTER)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /**
   * pgbench's rate for the writes of one accept, with the literals of a task the service wrote: the
   * task row (its id made by the server, as the service makes its own), its first event and the
   * notification that wakes claim loops, in one transaction, statement by statement.
   */
  private static double pgbench(BenchService started, int connections, int seconds)
      throws Exception {
    String task;
    String event;
    try (Connection c = connect(started);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                """
                SELECT concat_ws(', ', quote_literal(t.owner), quote_literal(t.name),
                         quote_literal(t.status), quote_nullable(t.status_reason),
                         quote_literal(t.spec::text) || '::jsonb',
                         quote_literal(t.settings::text) || '::jsonb',
                         quote_literal(t.backend), quote_nullable(t.request_hash),
                         quote_nullable(t.depends_on::text) || '::jsonb') AS task,
                       concat_ws(', ', quote_literal(e.kind), quote_nullable(e.from_status),
                         quote_nullable(e.to_status), quote_nullable(e.reason),
                         quote_nullable(e.details::text) || '::jsonb') AS event
                FROM task t JOIN task_event e ON e.task_id = t.id
                ORDER BY t.created_at, e.id LIMIT 1
                """)) {
      if (!r.next()) {
        throw new IllegalStateException("no task was accepted");
      }
      task = r.getString("task");
      event = r.getString("event");
    }
    String script =
        """
        BEGIN;
        INSERT INTO task (id, owner, name, status, status_reason, spec, settings, backend,
                          request_hash, next_run_at, version, created_at, updated_at, depends_on)
        SELECT id, %s, now(), 0, now(), now(), %s
        FROM (SELECT gen_random_uuid() AS id) AS new
        ON CONFLICT (owner, idempotency_key) DO NOTHING
        RETURNING id AS task_id \\gset
        INSERT INTO task_event (task_id, at, kind, from_status, to_status, reason, details)
        VALUES (':task_id', now(), %s);
        SELECT pg_notify('batch_executor_task_due', ':task_id');
        COMMIT;
        """;
    String[] values = task.split(", (?=[^,]*$)"); // depends_on last, placed after the timestamps
    Path file = Files.createTempFile("accept-", ".sql");
    try {
      Files.writeString(file, String.format(Locale.ROOT, script, values[0], values[1], event));
      ProcessBuilder pb =
          new ProcessBuilder(
                  "pgbench",
                  "-n",
                  "-M",
                  "simple",
                  "-h",
                  "127.0.0.1",
                  "-p",
                  Integer.toString(started.databasePort()),
                  "-U",
                  "postgres",
                  "-c",
                  Integer.toString(connections),
                  "-j",
                  "2",
                  "-T",
                  Integer.toString(seconds),
                  "-f",
                  file.toString(),
                  DATABASE)
              .redirectErrorStream(true);
      pb.environment().put("PGPASSWORD", started.databasePassword());
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IllegalStateException("pgbench failed:\n" + out);
      }
      Matcher m = TPS.matcher(out);
      if (!m.find()) {
        throw new IllegalStateException("no rate in pgbench's output:\n" + out);
      }
      return Double.parseDouble(m.group(1));
    } finally {
      Files.delete(file);
    }
  }

  /** Waits until every queued task is final, then reads the rate and the ends from the events. */
  private static void claimLoop(BenchService started, int queued, double pgbench) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    try (Connection c = connect(started);
        Statement s = c.createStatement()) {
      long ended = 0;
      while (ended < queued && System.nanoTime() < deadline) {
        Thread.sleep(200);
        ended = count(s, "SELECT count(*) FROM task WHERE status IN " + FINAL);
      }
      long tasks = count(s, "SELECT count(*) FROM task");
      long notOnce =
          count(
              s,
              "SELECT count(*) FROM (SELECT t.id FROM task t LEFT JOIN task_event e"
                  + " ON e.task_id = t.id AND e.to_status IN "
                  + FINAL
                  + " GROUP BY t.id HAVING count(e.task_id) <> 1) AS odd");
      double span;
      try (ResultSet r =
          s.executeQuery(
              "SELECT extract(epoch FROM max(at) - min(at)) FROM task_event WHERE to_status IN "
                  + FINAL)) {
        r.next();
        span = r.getDouble(1);
      }
      System.out.printf(
          Locale.ROOT,
          "claim loop: %d tasks queued, then an instance with backend none%n"
              + "  ended     %8.0f tasks/s (%d of %d final; first end to last %.1f s)%n"
              + "  ratio     %8.2f of pgbench's accept rate above (goal >= 1000/s)%n"
              + "  tasks not ended exactly once (task_event): %d%n",
          tasks,
          ended / span,
          ended,
          tasks,
          span,
          ended / span / pgbench,
          notOnce);
    }
  }

  private static long count(Statement s, String sql) throws SQLException {
    try (ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  private static Connection connect(BenchService started) throws IOException, SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + started.databasePort() + "/" + DATABASE,
        "postgres",
        started.databasePassword());
  }
}
