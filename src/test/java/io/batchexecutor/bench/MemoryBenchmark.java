package io.batchexecutor.bench;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.Tasks;
import io.batchexecutor.workflow.Workflows;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import tools.jackson.databind.JsonNode;

/**
 * Benchmark, not a test: the service's memory and threads, in-process, at rest and under the loads
 * it is built for — many tasks run on the local engine, hundreds of clients holding {@code ?wait=}
 * answers, a workflow of 1,000 tasks accepted at once. For each: the heap in use after a full GC
 * (what stays), the highest heap in use seen meanwhile (sampled every 50 ms), the process's
 * resident memory and its live threads. The benchmark's own HTTP client runs in the same JVM and is
 * counted too.
 *
 * <pre>./mvnw test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.batchexecutor.bench.MemoryBenchmark [-Dbench.tasks=200 -Dbench.waiters=500]
 * </pre>
 */
public final class MemoryBenchmark {

  private static final AtomicLong peak = new AtomicLong();

  public static void main(String[] args) throws Exception {
    int taskCount = Integer.getInteger("bench.tasks", 200);
    int waiterCount = Integer.getInteger("bench.waiters", 500);
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    sampler.scheduleAtFixedRate(
        () -> peak.accumulateAndGet(heapUsed(), Math::max), 0, 50, TimeUnit.MILLISECONDS);
    try (BenchService service = BenchService.start("server.tomcat.mbeanregistry.enabled=true")) {
      int port = service.port;
      Api api = service.api;
      System.out.printf(
          Locale.ROOT,
          "%-48s %12s %12s %10s %8s %13s%n",
          "phase",
          "heap kept",
          "heap peak",
          "RSS",
          "threads",
          "request busy");
      report("started, idle");

      // one task first, so the image is built before the rest are timed against memory
      await(api, submit(api, Tasks.add().set("args", List.of(0, 0))));
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < taskCount; i++) {
        ids.add(submit(api, Tasks.add().set("args", List.of(i, 1))));
      }
      for (String id : ids) {
        await(api, id);
      }
      report(taskCount + " tasks run on the local engine");

      // a workflow whose first task sleeps: the others wait on it without a container
      Workflows held = Workflows.named("held");
      held.task("first", "import time\ndef f():\n    time.sleep(60)\n", "f", List.of());
      for (int i = 0; i < waiterCount; i++) {
        held.task("w" + i, "def g(x):\n    return x\n", "g", List.of(Workflows.ref("first")));
      }
      JsonNode workflow = api.post("/api/v1/workflows", held.build()).json();
      HttpClient client = HttpClient.newHttpClient();
      List<CompletableFuture<HttpResponse<Void>>> waiting = new ArrayList<>();
      for (int i = 0; i < waiterCount; i++) {
        String task = workflow.get("tasks").get("w" + i).get("id").asString();
        waiting.add(
            client.sendAsync(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:" + port + "/api/v1/tasks/" + task + "?wait=30"))
                    .header("Authorization", "Bearer " + Api.TESTER)
                    .timeout(Duration.ofSeconds(60))
                    .build(),
                HttpResponse.BodyHandlers.discarding()));
      }
      Thread.sleep(3000); // a fixed wait: long enough for every request to arrive and be held
      report(waiterCount + " clients holding ?wait=30");
      api.post("/api/v1/workflows/" + workflow.get("id").asString() + "/cancel", "");
      long answered =
          waiting.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 200).count();
      report("  ... all answered (" + answered + " x 200) on cancel");

      Workflows big = Workflows.named("big");
      big.task("root", "def f():\n    return 1\n", "f", List.of());
      for (int i = 1; i < 1000; i++) {
        big.task("t" + i, "def g(x):\n    return x\n", "g", List.of(Workflows.ref("root")));
      }
      Map<String, Object> body = big.build();
      JsonNode accepted = api.post("/api/v1/workflows", body).json();
      report("a 1,000-task workflow accepted");
      api.post("/api/v1/workflows/" + accepted.get("id").asString() + "/cancel", "");
    } finally {
      sampler.shutdownNow();
    }
  }

  private static String submit(Api api, Tasks task) {
    Api.Response accepted = api.post("/api/v1/tasks", task.build());
    if (accepted.status() != 202) {
      throw new IllegalStateException("the service refused the task: " + accepted.text());
    }
    return accepted.json().get("id").asString();
  }

  private static void await(Api api, String id) {
    JsonNode done = api.awaitEnd(id, Duration.ofMinutes(5));
    if (!"SUCCEEDED".equals(done.get("status").asString())) {
      throw new IllegalStateException("task did not succeed: " + done);
    }
  }

  /** Prints the phase's figures and starts the next phase's peak afresh. */
  private static void report(String phase) throws Exception {
    long peakSeen = Math.max(peak.getAndSet(0), heapUsed());
    System.gc();
    Thread.sleep(200); // a fixed pause: the collection settles before the heap is read
    System.out.printf(
        Locale.ROOT,
        "%-48s %9.1f MB %9.1f MB %7.0f MB %8d %13s%n",
        phase,
        heapUsed() / 1e6,
        peakSeen / 1e6,
        residentBytes() / 1e6,
        ManagementFactory.getThreadMXBean().getThreadCount(),
        requestThreads());
  }

  /**
   * The server's request threads busy now, of those it has: a held answer must not keep one. (The
   * pool grows when many requests arrive at once and shrinks after a minute idle; the thread count
   * above includes such idle threads and the benchmark client's own.)
   */
  private static String requestThreads() throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    for (ObjectName pool : server.queryNames(new ObjectName("Tomcat:type=ThreadPool,*"), null)) {
      return server.getAttribute(pool, "currentThreadsBusy")
          + " of "
          + server.getAttribute(pool, "currentThreadCount");
    }
    return "?";
  }

  private static long heapUsed() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** The process's resident set, from /proc (Linux). */
  private static long residentBytes() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    }
    return -1;
  }
}
