package io.batchexecutor.bench;

import io.batchexecutor.support.Api;
import io.batchexecutor.task.TaskNotifications;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
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
 *   <li>The packaged jar, in its own JVM, API-only ({@code batch-executor.pipeline.enabled=false},
 *       backend {@code none}) on a fresh cache directory, takes POSTs of valid tasks with a bearer
 *       token over loopback from Debian's {@code wrk} ({@code bench.connections}, 16, on two
 *       threads; each request a new task), for a warm-up ({@code bench.warmup}, 30 s) and then
 *       {@code bench.windows} (3) measured windows of {@code bench.seconds} (20 s): accepted/s,
 *       p50/p99 latency, non-2xx answers. Without {@code wrk} on PATH, threads of this JVM with the
 *       JDK's HTTP client take its place.
 *   <li>After each of the service's windows, {@code pgbench} against the same embedded server, as
 *       many clients, as long: a task row, its first event and {@code pg_notify}, one transaction
 *       each, the literals copied from a task the service accepted; its rate and the service's
 *       share of it. Alternating the two lets both meet the same disk.
 *   <li>Throughout, {@link DiskFlushes}: how long the database's file system takes to make a 4 KiB
 *       write durable, every 20 ms, reported per window — the floor beneath every commit, and on
 *       shared machines the part that moves most from one minute to the next.
 *   <li>The claim loop: an instance with the pipeline on and backend {@code none} (which ends each
 *       claimed task at once), {@code bench.rounds} (6) rounds of {@code bench.queued} (5000) tasks
 *       queued in one transaction each: tasks ended per second (commit to last end, from {@code
 *       task_event}), and whether each task ended exactly once.
 *   <li>Only when asked for ({@code -Dbench.phases=limits}): the accept path with the client's
 *       submission limits on and off, in alternating windows ({@link LimitsOnOff}).
 *   <li>Only when asked for ({@code -Dbench.phases=fair}): how long another client's one task takes
 *       while one client has thousands queued ({@link ClaimFairness}).
 * </ol>
 *
 * <p>Latency percentiles are wrk's: corrected for coordinated omission (a connection whose answer
 * took long would have asked more meanwhile; those answers are counted too). pgbench's logged
 * transactions are corrected the same way, so that the two sides compare; its own p99, as recorded,
 * is printed beside.
 *
 * <pre>./mvnw -DskipTests package exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.batchexecutor.bench.AcceptRateBenchmark [-Dbench.seconds=20]</pre>
 */
public final class AcceptRateBenchmark {

  private static final String DATABASE = "batch_executor";
  private static final String FINAL = "('SUCCEEDED','FAILED','CANCELLED')";

  public static void main(String[] args) throws Exception {
    int connections = Integer.getInteger("bench.connections", 16);
    int warmup = Integer.getInteger("bench.warmup", 30);
    int seconds = Integer.getInteger("bench.seconds", 20);
    int windows = Integer.getInteger("bench.windows", 3);
    int queued = Integer.getInteger("bench.queued", 5000);
    int rounds = Integer.getInteger("bench.rounds", 6);
    String apiOnly = "batch-executor.pipeline.enabled=false";
    String none = "batch-executor.backend=none";

    boolean jdk = "jdk".equals(System.getProperty("bench.generator", "wrk"));
    Generator generator = Wrk.onPath() && !jdk ? new Wrk() : new JdkClients();
    System.out.println("load generator: " + generator.describe());
    String phases = System.getProperty("bench.phases", "accept,claim");
    double pgbenchRate = Double.NaN;
    if (phases.contains("accept")) {
      try (BenchService started = BenchService.startPackaged(apiOnly, none);
          DiskFlushes disk = DiskFlushes.start(started.cacheDir())) {
        generator.drive(started.port, connections, warmup);
        Path script = pgbenchScript(started);
        System.out.printf(
            Locale.ROOT,
            "accept path: the packaged service, API-only, %d connections, after a %d s warm-up;"
                + " %d windows of %d s each for the service and for pgbench (a task row + its"
                + " first event + pg_notify, -c%d -j2), one after the other%n"
                + "  percentiles as wrk gives them: corrected for coordinated omission (a stalled"
                + " answer also counts the answers its connection could not ask for meanwhile);"
                + " pgbench's log corrected the same way, its own figures in brackets%n",
            connections,
            warmup,
            windows,
            seconds,
            connections);
        Totals service = new Totals();
        Totals floor = new Totals();
        try {
          for (int w = 1; w <= windows; w++) {
            Duration jvm = started.serviceCpu();
            Duration database = started.databaseCpu();
            long from = System.nanoTime();
            Load load = generator.drive(started.port, connections, seconds);
            DiskFlushes.Window flushes = disk.between(from, System.nanoTime());
            service.add(
                load,
                seconds,
                started.serviceCpu().minus(jvm),
                started.databaseCpu().minus(database));
            System.out.printf(
                Locale.ROOT,
                "  %d service  %6.0f accepted/s  p50 %5.1f  p99 %6.1f  max %6.1f ms"
                    + "  non-2xx %d            %s%n",
                w,
                load.accepted() / (double) seconds,
                load.p50() / 1e6,
                load.p99() / 1e6,
                load.max() / 1e6,
                load.refused(),
                flushes.describe());
            database = started.databaseCpu();
            from = System.nanoTime();
            Pgbench pg = pgbench(started, script, connections, seconds);
            flushes = disk.between(from, System.nanoTime());
            floor.add(pg.load(), seconds, Duration.ZERO, started.databaseCpu().minus(database));
            System.out.printf(
                Locale.ROOT,
                "    pgbench  %6.0f tx/s        p50 %5.1f  p99 %6.1f  max %6.1f ms"
                    + "  (p99 %.1f)  %s%n",
                pg.load().accepted() / (double) seconds,
                pg.load().p50() / 1e6,
                pg.load().p99() / 1e6,
                pg.load().max() / 1e6,
                pg.recordedP99() / 1e6,
                flushes.describe());
          }
        } finally {
          Files.delete(script);
        }
        pgbenchRate = floor.rate();
        System.out.printf(
            Locale.ROOT,
            "  service   %8.0f accepted/s  p99 %s ms over the windows, non-2xx %d (of %d)%n",
            service.rate(),
            service.p99s(),
            service.refused,
            service.accepted + service.refused);
        System.out.printf(
            Locale.ROOT, "  pgbench   %8.0f tx/s        p99 %s ms%n", floor.rate(), floor.p99s());
        System.out.printf(
            Locale.ROOT,
            "  ratio     %8.2f (goal >= 0.5; >= 1000/s, p99 <= 50 ms, 0 non-2xx)%n",
            service.rate() / floor.rate());
        System.out.printf(
            Locale.ROOT,
            "  CPU per accepted task: JVM %.2f ms, PostgreSQL %.2f ms;"
                + " per pgbench transaction: PostgreSQL %.2f ms (the load generators' own CPU"
                + " not counted)%n",
            perTask(service.jvm, service.accepted),
            perTask(service.database, service.accepted),
            perTask(floor.database, floor.accepted));
      }
    }
    if (phases.contains("limits")) {
      LimitsOnOff.run(generator, connections, warmup, seconds, windows);
    }
    if (phases.contains("fair")) {
      ClaimFairness.run(Integer.getInteger("bench.fair.tasks", 5000));
    }
    if (phases.contains("claim")) {
      try (BenchService started = BenchService.startPackaged(none);
          DiskFlushes disk = DiskFlushes.start(started.cacheDir())) {
        claimLoop(started, disk, queued, rounds, pgbenchRate);
      }
    }
  }

  /**
   * What the load generator saw in its measured window; latencies in nanoseconds, the percentiles
   * corrected for coordinated omission as {@code wrk} corrects its own.
   */
  record Load(long accepted, long refused, long p50, long p99, long max) {

    /**
     * From each answer's own latency ({@code recorded}, any order) in a window of {@code seconds}
     * on {@code connections}.
     */
    static Load of(long accepted, long refused, long[] recorded, int connections, int seconds) {
      long[] corrected = correctedAsWrk(recorded, connections, seconds);
      return new Load(
          accepted,
          refused,
          percentile(corrected, 50),
          percentile(corrected, 99),
          corrected.length == 0 ? -1 : corrected[corrected.length - 1]);
    }

    /**
     * wrk's correction for coordinated omission: with {@code expected} the time a connection took
     * per answer on average, an answer that took {@code n} at least twice that also stands for the
     * answers the connection would have asked for meanwhile, {@code n - expected}, {@code n -
     * 2·expected}, … while above {@code expected}. Answers the latencies, sorted.
     */
    static long[] correctedAsWrk(long[] recorded, int connections, int seconds) {
      long perConnection = recorded.length / connections;
      if (perConnection == 0) {
        long[] sorted = recorded.clone();
        Arrays.sort(sorted);
        return sorted;
      }
      long expected = TimeUnit.SECONDS.toNanos(seconds) / perConnection;
      long[] all = Arrays.copyOf(recorded, recorded.length);
      int n = recorded.length;
      for (long latency : recorded) {
        for (long m = latency - expected; latency >= 2 * expected && m > expected; m -= expected) {
          if (n == all.length) {
            all = Arrays.copyOf(all, all.length * 2);
          }
          all[n++] = m;
        }
      }
      all = Arrays.copyOf(all, n);
      Arrays.sort(all);
      return all;
    }

    static long percentile(long[] sorted, double p) {
      if (sorted.length == 0) {
        return -1;
      }
      int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
      return sorted[Math.max(0, Math.min(i, sorted.length - 1))];
    }
  }

  /** Sums over the windows of one side: answers, seconds, CPU; each window's p99. */
  private static final class Totals {
    long accepted;
    long refused;
    long seconds;
    Duration jvm = Duration.ZERO;
    Duration database = Duration.ZERO;
    final List<Long> p99 = new ArrayList<>();

    void add(Load load, int windowSeconds, Duration jvmCpu, Duration databaseCpu) {
      accepted += load.accepted();
      refused += load.refused();
      seconds += windowSeconds;
      jvm = jvm.plus(jvmCpu);
      database = database.plus(databaseCpu);
      p99.add(load.p99());
    }

    double rate() {
      return accepted / (double) seconds;
    }

    String p99s() {
      return String.join(
          " / ", p99.stream().map(p -> String.format(Locale.ROOT, "%.1f", p / 1e6)).toList());
    }
  }

  /** A load generator for the accept path. */
  interface Generator {

    String describe();

    /** Drives the service for {@code seconds}; what was answered in that time. */
    Load drive(int port, int connections, int seconds) throws Exception;
  }

  /**
   * Debian's {@code wrk} in its own process (two threads, as many connections), each request a
   * distinct task made by a Lua script; its latency histogram gives the percentiles.
   */
  static final class Wrk implements Generator {

    private static final Pattern RESULT =
        Pattern.compile(
            "RESULT requests=(\\d+) non2xx=(\\d+) errors=(\\d+) p50=(\\d+) p99=(\\d+)"
                + " max=(\\d+)");

    static boolean onPath() {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "wrk"))) {
          return true;
        }
      }
      return false;
    }

    @Override
    public String describe() {
      return "wrk (its own process, -t2)";
    }

    @Override
    public Load drive(int port, int connections, int seconds) throws Exception {
      Path script = Files.createTempFile("accept-", ".lua");
      try {
        Files.writeString(script, script());
        return run(port, connections, seconds, script);
      } finally {
        Files.delete(script);
      }
    }

    private static Load run(int port, int connections, int seconds, Path script)
        throws IOException, InterruptedException {
      Process p =
          new ProcessBuilder(
                  "wrk",
                  "-t2",
                  "-c" + connections,
                  "-d" + seconds + "s",
                  "--timeout",
                  "10s",
                  "-s",
                  script.toString(),
                  "http://127.0.0.1:" + port + "/api/v1/tasks")
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IllegalStateException("wrk failed:\n" + out);
      }
      Matcher m = RESULT.matcher(out);
      if (!m.find()) {
        throw new IllegalStateException("no result in wrk's output:\n" + out);
      }
      long requests = Long.parseLong(m.group(1));
      if (requests == Long.parseLong(m.group(2))) {
        throw new IllegalStateException("the service accepted none of wrk's requests:\n" + out);
      }
      long refused = Long.parseLong(m.group(2)) + Long.parseLong(m.group(3));
      return new Load(
          requests - Long.parseLong(m.group(2)),
          refused,
          Long.parseLong(m.group(4)) * 1000,
          Long.parseLong(m.group(5)) * 1000,
          Long.parseLong(m.group(6)) * 1000);
    }

    /** Each request a new task; at the end one line with the counts and percentiles (µs). */
    private static String script() {
      return """
          local counter = 0
          local id = 0
          local threads = {}
          wrk.method = "POST"
          wrk.headers["Content-Type"] = "application/json"
          wrk.headers["Authorization"] = "Bearer %s"
          function setup(thread)
            id = id + 1
            thread:set("id", id)
            table.insert(threads, thread)
          end
          function request()
            counter = counter + 1
            local body = '{"name":"add","function":{"source":"def task(x, y):\\\\n    return x + y\\\\n",'
              .. '"name":"task"},"args":[' .. id .. ',' .. counter .. '],"kwargs":{}}'
            return wrk.format(nil, nil, nil, body)
          end
          function response(status, headers, body)
            if status ~= 202 and not reported then
              reported = true
              io.write("REFUSED " .. status .. " " .. body .. "\\n")
            end
          end
          function done(summary, latency, requests)
            local e = summary.errors
            io.write(string.format(
              "RESULT requests=%%d non2xx=%%d errors=%%d p50=%%d p99=%%d max=%%d\\n",
              summary.requests, e.status, e.connect + e.read + e.write + e.timeout,
              latency:percentile(50), latency:percentile(99), latency.max))
          end
          """
          .formatted(Api.TESTER);
    }
  }

  /**
   * Threads of this JVM (the benchmark's, not the service's), each with its own {@code
   * java.net.http.HttpClient} on HTTP/1.1, for a machine without {@code wrk}.
   */
  static final class JdkClients implements Generator {

    @Override
    public String describe() {
      return "java.net.http.HttpClient threads in the benchmark's JVM, not wrk";
    }

    @Override
    public Load drive(int port, int connections, int seconds) throws Exception {
      return AcceptRateBenchmark.drive(port, connections, seconds);
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
      return Load.of(all.length, refused.get(), all, connections, seconds);
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
   * What pgbench committed in a window (its percentiles corrected as wrk corrects its own), and the
   * p99 of its transactions as they were recorded, in nanoseconds.
   */
  record Pgbench(Load load, long recordedP99) {}

  /**
   * A pgbench script of the writes of one accept, with the literals of a task the service wrote:
   * the task row (its id made by the server, as the service makes its own), its first event and the
   * notification that wakes claim loops, in one transaction, statement by statement.
   */
  private static Path pgbenchScript(BenchService started) throws Exception {
    String task;
    String event;
    try (Connection c = connect(started);
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                """
                SELECT concat_ws(', ', quote_literal(t.owner), quote_literal(t.name),
                         quote_literal(t.status), quote_nullable(t.status_reason),
                         quote_literal(t.spec::text) || '::json',
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
    Files.writeString(file, String.format(Locale.ROOT, script, values[0], values[1], event));
    return file;
  }

  /** Runs {@code script} with pgbench on {@code connections} clients for {@code seconds}. */
  private static Pgbench pgbench(BenchService started, Path script, int connections, int seconds)
      throws Exception {
    Path logs = Files.createTempDirectory("pgbench-");
    try {
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
                  "-l",
                  "--log-prefix",
                  logs.resolve("tx").toString(),
                  "-f",
                  script.toString(),
                  DATABASE)
              .redirectErrorStream(true);
      pb.environment().put("PGPASSWORD", started.databasePassword());
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IllegalStateException("pgbench failed:\n" + out);
      }
      // one line per transaction: client, number, latency in µs, ...
      long[] latencies;
      try (java.util.stream.Stream<Path> files = Files.list(logs)) {
        latencies =
            files
                .flatMap(
                    f -> {
                      try {
                        return Files.readAllLines(f).stream();
                      } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                      }
                    })
                .mapToLong(line -> Long.parseLong(line.split(" ")[2]) * 1000)
                .sorted()
                .toArray();
      }
      return new Pgbench(
          Load.of(latencies.length, 0, latencies, connections, seconds),
          Load.percentile(latencies, 99));
    } finally {
      BenchService.delete(logs);
    }
  }

  /**
   * The claim loop of a running instance with backend {@code none}: one task accepted through the
   * API and ended there is the template; each round copies it {@code queued} times as it was when
   * accepted (QUEUED, no lease, its first event) in one transaction with one notification, then
   * waits until all are final. A round's rate is its tasks over the time from that commit to its
   * last end; the first rounds warm the JIT up, the last one is the figure.
   */
  private static void claimLoop(
      BenchService started, DiskFlushes disk, int queued, int rounds, double pgbench)
      throws Exception {
    Api.Response accepted = started.api.post("/api/v1/tasks", body(0, 0));
    if (accepted.status() != 202) {
      throw new IllegalStateException("the template task was refused: " + accepted.text());
    }
    UUID template = UUID.fromString(accepted.json().get("id").asString());
    System.out.printf(
        Locale.ROOT,
        "claim loop: backend none, %d rounds of %d tasks queued at once%n",
        rounds,
        queued);
    double rate = 0;
    try (Connection c = connect(started)) {
      awaitFinal(c, "id = '" + template + "'", 1);
      for (int round = 1; round <= rounds; round++) {
        String name = "claim-round-" + round;
        long from = System.nanoTime();
        Instant committed = queue(c, template, name, queued);
        Duration service = started.serviceCpu();
        Duration database = started.databaseCpu();
        awaitFinal(c, "name = '" + name + "'", queued);
        service = started.serviceCpu().minus(service);
        database = started.databaseCpu().minus(database);
        DiskFlushes.Window flushes = disk.between(from, System.nanoTime());
        double span;
        try (Statement s = c.createStatement();
            ResultSet r =
                s.executeQuery(
                    "SELECT extract(epoch FROM max(e.at)) FROM task_event e JOIN task t ON"
                        + " t.id = e.task_id WHERE t.name = '"
                        + name
                        + "' AND e.to_status IN "
                        + FINAL)) {
          r.next();
          span = r.getDouble(1) - committed.toEpochMilli() / 1000.0;
        }
        long claims;
        try (Statement s = c.createStatement()) {
          // the tasks of one claim share its CLAIMED event's time
          claims =
              count(
                  s,
                  "SELECT count(DISTINCT e.at) FROM task_event e JOIN task t ON t.id = e.task_id"
                      + " WHERE t.name = '"
                      + name
                      + "' AND e.kind = 'CLAIMED'");
        }
        rate = queued / span;
        System.out.printf(
            Locale.ROOT,
            "  round %d  %8.0f tasks/s (%d tasks in %d claims, commit to last end %.2f s);"
                + " CPU per task: JVM %.2f ms, PostgreSQL %.2f ms; %s%n",
            round,
            rate,
            queued,
            claims,
            span,
            perTask(service, queued),
            perTask(database, queued),
            flushes.describe());
      }
      try (Statement s = c.createStatement()) {
        long notOnce =
            count(
                s,
                "SELECT count(*) FROM (SELECT t.id FROM task t LEFT JOIN task_event e"
                    + " ON e.task_id = t.id AND e.to_status IN "
                    + FINAL
                    + " GROUP BY t.id HAVING count(e.task_id) <> 1) AS odd");
        System.out.printf(
            Locale.ROOT,
            "  ended     %8.0f tasks/s in the last round (goal >= 1000/s); %.2f of pgbench's rate%n"
                + "  tasks not ended exactly once (task_event), all rounds: %d of %d%n",
            rate,
            rate / pgbench,
            notOnce,
            count(s, "SELECT count(*) FROM task"));
      }
    }
  }

  /**
   * {@code count} copies of {@code template} as it was accepted, named {@code name}, with its first
   * event, committed with one notification; answers the commit's time (the database's clock).
   */
  private static Instant queue(Connection c, UUID template, String name, int count)
      throws SQLException {
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute(
          """
          WITH new AS (
            INSERT INTO task
            SELECT (jsonb_populate_record(t, jsonb_build_object(
                      'id', gen_random_uuid(), 'name', '%1$s', 'status', 'QUEUED',
                      'status_reason', 'accepted', 'error', NULL, 'finished_at', NULL,
                      'lease_owner', NULL, 'lease_expires_at', NULL, 'version', 0,
                      'attempts', 0, 'next_run_at', clock_timestamp(),
                      'created_at', clock_timestamp(), 'updated_at', clock_timestamp()))).*
            FROM task t, generate_series(1, %2$d) WHERE t.id = '%3$s'
            RETURNING id)
          INSERT INTO task_event (task_id, at, kind, from_status, to_status, reason, details)
          SELECT new.id, now(), e.kind, e.from_status, e.to_status, e.reason, e.details
          FROM new, (SELECT * FROM task_event WHERE task_id = '%3$s' ORDER BY id LIMIT 1) e
          """
              .formatted(name, count, template));
      s.execute("SELECT pg_notify('" + TaskNotifications.DUE_CHANNEL + "', '" + template + "')");
      c.commit();
      try (ResultSet r = s.executeQuery("SELECT clock_timestamp()")) {
        r.next();
        return r.getObject(1, java.time.OffsetDateTime.class).toInstant();
      }
    } finally {
      c.setAutoCommit(true);
    }
  }

  /** Waits (up to ten minutes) until {@code count} tasks matching {@code where} are final. */
  private static void awaitFinal(Connection c, String where, long count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    try (Statement s = c.createStatement()) {
      while (count(s, "SELECT count(*) FROM task WHERE " + where + " AND status IN " + FINAL)
          < count) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("tasks where " + where + " did not all end in time");
        }
        Thread.sleep(200);
      }
    }
  }

  private static double perTask(Duration cpu, long tasks) {
    return cpu.toNanos() / 1e6 / tasks;
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
