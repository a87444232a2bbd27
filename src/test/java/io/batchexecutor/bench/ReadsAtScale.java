package io.batchexecutor.bench;

import io.batchexecutor.support.Api;
import io.batchexecutor.task.PageCursor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Not a test: the reads the API and the dashboard make, against a nearly empty history and a long
 * one, side by side in one run. Two (or three) packaged services, API-only (backend {@code none}),
 * each on its own embedded database, filled by {@link ScaleFill} with {@code bench.small} (25,000)
 * and {@code bench.tasks} (1,000,000) tasks of client {@code tester} (and {@code bench.huge} when
 * set, e.g. 10,000,000), all finished but 1,000, one workflow of three tasks per {@code
 * bench.workflow-every} (100) tasks. Then, read by read, {@code bench.connections} (4) threads of
 * the JDK's {@code HttpClient} ask one service after the other for {@code bench.seconds} (10 s)
 * each, after a warm-up of {@code bench.warmup} (5 s): answers a second, p50 and p99 (as recorded,
 * not corrected). The tasks gauge's query is timed on each database over JDBC (it runs at most
 * every 10 s whatever the scrapes), and the sizes of the tables and their indexes are printed:
 * bytes per task.
 *
 * <pre>
 * ./mvnw -B -q -DskipTests package
 * ./mvnw -B -q exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.batchexecutor.bench.ReadsAtScale \
 *   [-Dbench.tasks=1000000] [-Dbench.huge=10000000] [-Dbench.seconds=10]
 * </pre>
 */
public final class ReadsAtScale {

  private static final String GAUGE =
      """
      SELECT status, count(*) AS n FROM task
      WHERE status NOT IN ('SUCCEEDED', 'FAILED', 'CANCELLED') GROUP BY status
      UNION ALL
      SELECT status, sum(n) AS n FROM task_finished_count GROUP BY status HAVING sum(n) > 0
      """;

  private ReadsAtScale() {}

  /** A filled service and what its reads ask for. */
  private record Side(String label, BenchService service, Map<String, String> known) {}

  public static void main(String[] args) throws Exception {
    int connections = Integer.getInteger("bench.connections", 4);
    int seconds = Integer.getInteger("bench.seconds", 10);
    int warmup = Integer.getInteger("bench.warmup", 5);
    int workflowEvery = Integer.getInteger("bench.workflow-every", 100);
    List<Integer> sizes = new ArrayList<>();
    sizes.add(Integer.getInteger("bench.small", 25_000));
    sizes.add(Integer.getInteger("bench.tasks", 1_000_000));
    if (Integer.getInteger("bench.huge") != null) {
      sizes.add(Integer.getInteger("bench.huge"));
    }
    List<Side> sides = new ArrayList<>();
    try {
      for (int size : sizes) {
        String label = String.format(Locale.ROOT, "%,d", size);
        BenchService service =
            BenchService.startPackagedLoggingTo(
                Path.of("target", "service-reads-" + size + ".log"),
                "batch-executor.pipeline.enabled=false",
                "batch-executor.backend=none",
                "batch-executor.client-defaults.max-unfinished-tasks=0",
                "batch-executor.retention.keep-finished=0");
        sides.add(new Side(label, service, new LinkedHashMap<>()));
        service.api.post("/api/v1/tasks", template()); // the fill copies its spec and settings
        long started = System.nanoTime();
        try (Connection db = connect(service)) {
          ScaleFill.fill(db, "tester", size, 1_000, size / workflowEvery, "  [" + label + "] ");
        }
        System.out.printf(
            Locale.ROOT,
            "filled %s tasks in %d s%n",
            label,
            (System.nanoTime() - started) / 1_000_000_000L);
      }
      for (Side side : sides) {
        lookUp(side);
      }
      System.out.println(sizes(sides));
      System.out.printf(
          Locale.ROOT,
          "reads: packaged services, API-only; %d connections (JDK HttpClient threads), %d s"
              + " windows after a %d s warm-up; answers/s, p50 / p99 ms as recorded%n",
          connections,
          seconds,
          warmup);
      Map<String, Function<Side, String>> reads = new LinkedHashMap<>();
      List<String> only = List.of(System.getProperty("bench.reads", "").split(","));
      reads.put("GET /tasks (first page)", s -> "/api/v1/tasks");
      reads.put(
          "GET /tasks?cursor= (a page in the middle)",
          s -> "/api/v1/tasks?cursor=" + s.known().get("cursor"));
      reads.put(
          "GET /tasks?status=SUCCEEDED&cursor=",
          s -> "/api/v1/tasks?status=SUCCEEDED&cursor=" + s.known().get("cursor"));
      reads.put("GET /tasks?page=100 (numbered)", s -> "/api/v1/tasks?page=100&size=50");
      reads.put("GET /tasks/counts", s -> "/api/v1/tasks/counts");
      reads.put("GET /tasks/{id}", s -> "/api/v1/tasks/" + s.known().get("task"));
      reads.put(
          "GET /tasks/{id}/events", s -> "/api/v1/tasks/" + s.known().get("task") + "/events");
      reads.put("GET /workflows (first page)", s -> "/api/v1/workflows");
      reads.put("GET /workflows/{id}", s -> "/api/v1/workflows/" + s.known().get("workflow"));
      reads.put("GET /usage", s -> "/api/v1/usage");
      reads.put("GET /actuator/prometheus", s -> "/actuator/prometheus");
      StringBuilder table = new StringBuilder("| read |");
      for (Side side : sides) {
        table.append(' ').append(side.label()).append(" tasks: /s, p50 / p99 ms |");
      }
      table.append(" /s, large over small |\n");
      for (Map.Entry<String, Function<Side, String>> read : reads.entrySet()) {
        if (!only.get(0).isEmpty() && only.stream().noneMatch(read.getKey()::contains)) {
          continue;
        }
        for (Side side : sides) {
          drive(side, read.getValue().apply(side), connections, warmup);
        }
        table.append("| ").append(read.getKey()).append(" |");
        double first = 0;
        double last = 0;
        for (Side side : sides) {
          Load load = drive(side, read.getValue().apply(side), connections, seconds);
          double rate = load.answered() / (double) seconds;
          first = first == 0 ? rate : first;
          last = rate;
          table.append(
              String.format(
                  Locale.ROOT,
                  " %,.0f, %.1f / %.1f%s |",
                  rate,
                  load.p50() / 1e6,
                  load.p99() / 1e6,
                  load.failed() > 0 ? " (" + load.failed() + " non-2xx)" : ""));
        }
        table.append(String.format(Locale.ROOT, " %.2f |%n", last / first));
        System.out.print(table);
        table.setLength(0);
      }
      System.out.print("| the tasks gauge's query (JDBC, 200 times) |");
      for (Side side : sides) {
        try (Connection db = connect(side.service())) {
          long[] took = new long[200];
          for (int i = 0; i < took.length; i++) {
            long from = System.nanoTime();
            try (Statement s = db.createStatement();
                ResultSet rs = s.executeQuery(GAUGE)) {
              while (rs.next()) {
                rs.getLong(2);
              }
            }
            took[i] = System.nanoTime() - from;
          }
          Arrays.sort(took);
          System.out.printf(
              Locale.ROOT,
              " p50 %.2f / p99 %.2f ms |",
              took[took.length / 2] / 1e6,
              took[took.length * 99 / 100] / 1e6);
        }
      }
      System.out.println();
    } finally {
      for (Side side : sides) {
        side.service().close();
      }
    }
  }

  private static String template() {
    return "{\"name\":\"add\",\"function\":{\"source\":\"def task(x, y):\\n    return x + y\\n\","
        + "\"name\":\"task\"},\"args\":[1,2],\"kwargs\":{}}";
  }

  /** A finished task in the middle of the history, a cursor at it, and a workflow. */
  private static void lookUp(Side side) throws Exception {
    try (Connection db = connect(side.service());
        Statement s = db.createStatement()) {
      try (ResultSet rs =
          s.executeQuery(
              """
              SELECT id, created_at FROM task WHERE name LIKE 'fill-%' AND workflow_id IS NULL
              ORDER BY created_at OFFSET (SELECT count(*) / 2 FROM task) LIMIT 1
              """)) {
        rs.next();
        UUID id = rs.getObject(1, UUID.class);
        side.known().put("task", id.toString());
        side.known()
            .put(
                "cursor",
                new PageCursor(rs.getTimestamp(2).toInstant(), id).encode().replace("=", "%3D"));
      }
      try (ResultSet rs =
          s.executeQuery("SELECT id FROM workflow ORDER BY created_at DESC OFFSET 10 LIMIT 1")) {
        rs.next();
        side.known().put("workflow", rs.getObject(1).toString());
      }
    }
  }

  /** The tables' and their indexes' sizes on each side, per task. */
  private static String sizes(List<Side> sides) throws Exception {
    StringBuilder out = new StringBuilder("disk, from pg_total_relation_size after VACUUM:\n");
    for (Side side : sides) {
      try (Connection db = connect(side.service());
          Statement s = db.createStatement();
          ResultSet rs =
              s.executeQuery(
                  """
                  SELECT (SELECT count(*) FROM task), (SELECT count(*) FROM task_event),
                         pg_table_size('task'), pg_indexes_size('task'),
                         pg_table_size('task_event'), pg_indexes_size('task_event'),
                         pg_database_size(current_database())
                  """)) {
        rs.next();
        long tasks = rs.getLong(1);
        out.append(
            String.format(
                Locale.ROOT,
                "  %s: %,d tasks, %,d events (%.2f a task); task %,d MB + indexes %,d MB (%.0f B"
                    + " a task), task_event %,d MB + indexes %,d MB (%.0f B a task); database"
                    + " %,d MB%n",
                side.label(),
                tasks,
                rs.getLong(2),
                rs.getLong(2) / (double) tasks,
                rs.getLong(3) >> 20,
                rs.getLong(4) >> 20,
                (rs.getLong(3) + rs.getLong(4)) / (double) tasks,
                rs.getLong(5) >> 20,
                rs.getLong(6) >> 20,
                (rs.getLong(5) + rs.getLong(6)) / (double) tasks,
                rs.getLong(7) >> 20));
      }
    }
    return out.toString();
  }

  private static Connection connect(BenchService service) throws Exception {
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + service.databasePort() + "/batch_executor",
        "postgres",
        service.databasePassword());
  }

  /** What one window saw: answers, non-2xx answers, percentiles in nanoseconds. */
  private record Load(long answered, long failed, long p50, long p99) {}

  /**
   * {@code connections} threads GET {@code path} back to back for {@code seconds}, with the
   * client's token, or the operator's for the metrics.
   */
  private static Load drive(Side side, String path, int connections, int seconds) throws Exception {
    int port = side.service().port;
    String token = path.startsWith("/actuator") ? Api.OPERATOR : Api.TESTER;
    ExecutorService threads = Executors.newFixedThreadPool(connections);
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    AtomicLong failed = new AtomicLong();
    URI uri = URI.create("http://127.0.0.1:" + port + path);
    try {
      List<Future<long[]>> each = new ArrayList<>();
      for (int c = 0; c < connections; c++) {
        each.add(
            threads.submit(
                () -> {
                  HttpClient http =
                      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                  HttpRequest request =
                      HttpRequest.newBuilder(uri)
                          .header("Authorization", "Bearer " + token)
                          .GET()
                          .build();
                  long[] took = new long[1024];
                  int n = 0;
                  while (true) {
                    long sent = System.nanoTime();
                    int status =
                        http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                    long answered = System.nanoTime();
                    if (answered > end) {
                      break;
                    }
                    if (status / 100 != 2) {
                      failed.incrementAndGet();
                    }
                    if (n == took.length) {
                      took = Arrays.copyOf(took, n * 2);
                    }
                    took[n++] = answered - sent;
                  }
                  return Arrays.copyOf(took, n);
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
      if (all.length == 0) {
        return new Load(0, failed.get(), 0, 0);
      }
      return new Load(
          all.length,
          failed.get(),
          all[all.length / 2],
          all[Math.min(all.length - 1, (int) (all.length * 0.99))]);
    } finally {
      threads.shutdownNow();
    }
  }
}
