package io.batchexecutor.bench;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.Tasks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * Claim fairness as a client sees it, on the packaged service with backend {@code none} (a claimed
 * task fails at once, so the claim is all that orders tasks): client {@code tester} has {@code
 * tasks} queued, client {@code intruder} submits one and waits for its end with {@code ?wait=}. It
 * prints the intruder's time from its POST to the answer that tells the end, and how many of the
 * tester's tasks had not ended then, as {@code GET /api/v1/tasks/counts} tells the tester.
 *
 * <p>The tester's tasks are submitted through the API (eight at a time, its submission limits off)
 * to the service with its pipeline off, which then stops; the same cache directory and database are
 * started again with the pipeline on, and the intruder submits as soon as it answers. The claim
 * loop starts on the tester's backlog with the service, so some of it has ended before the
 * intruder's POST: that count is printed too.
 *
 * <pre>./mvnw -DskipTests package exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.batchexecutor.bench.AcceptRateBenchmark -Dbench.phases=fair \
 *   [-Dbench.fair.tasks=5000]</pre>
 */
final class ClaimFairness {

  private ClaimFairness() {}

  private static final String LIMITS = "batch-executor.client-defaults.";
  private static final List<String> ENDED = List.of("SUCCEEDED", "FAILED", "CANCELLED");

  static void run(int tasks) throws Exception {
    String[] settings = {
      "batch-executor.backend=none",
      // Spring joins a repeated command-line option's values with commas: tester's and intruder's
      "batch-executor.security.tokens=intruder=" + Api.INTRUDER,
      LIMITS + "submissions-per-second=0",
      LIMITS + "max-unfinished-tasks=0"
    };
    Path log = Path.of("target", "service-fair.log");
    Path cacheDir = BenchService.freshCacheDir();
    long submitting = System.nanoTime();
    try (BenchService queueing =
        BenchService.startPackagedOn(
            log, cacheDir, false, with(settings, "batch-executor.pipeline.enabled=false"))) {
      submitAll(queueing.api, tasks);
    }
    double submitSeconds = (System.nanoTime() - submitting) / 1e9;
    try (BenchService started =
        BenchService.startPackagedOn(
            log, cacheDir, true, with(settings, "batch-executor.pipeline.enabled=true"))) {
      Api a = started.api;
      Api b = a.as(Api.INTRUDER);
      long before = unfinished(a);
      long from = System.nanoTime();
      Api.Response accepted = b.post("/api/v1/tasks", Tasks.add().build());
      if (accepted.status() != 202) {
        throw new IllegalStateException("the intruder's task was refused: " + accepted.text());
      }
      long posted = System.nanoTime();
      String id = accepted.json().get("id").asString();
      JsonNode task;
      do {
        task = b.get("/api/v1/tasks/" + id + "?wait=60").json();
      } while (!ENDED.contains(task.get("status").asString()));
      long answered = System.nanoTime();
      long after = unfinished(a);
      while (unfinished(a) > 0) {
        Thread.sleep(200);
      }
      long drained = System.nanoTime();
      System.out.printf(
          Locale.ROOT,
          "claim fairness: the packaged service, backend none; tester's %d tasks submitted"
              + " through the API with the pipeline off (%.0f s, service start and stop"
              + " included), then the pipeline on%n"
              + "  tester's tasks not ended at the intruder's POST: %d%n"
              + "  intruder: POST answered in %.1f ms, its task %s, POST to the answer of"
              + " ?wait= %.1f ms%n"
              + "  tester's tasks not ended at that answer: %d of %d%n"
              + "  all of tester's ended %.1f s after the intruder's POST%n",
          tasks,
          submitSeconds,
          before,
          (posted - from) / 1e6,
          task.get("status").asString(),
          (answered - from) / 1e6,
          after,
          tasks,
          (drained - from) / 1e9);
    }
  }

  private static String[] with(String[] settings, String setting) {
    List<String> all = new ArrayList<>(List.of(settings));
    all.add(setting);
    return all.toArray(String[]::new);
  }

  /** The caller's tasks not ended, as {@code GET /api/v1/tasks/counts} tells it. */
  private static long unfinished(Api client) {
    JsonNode answer = client.get("/api/v1/tasks/counts").json();
    long ended = 0;
    for (String status : ENDED) {
      ended += answer.path("counts").path(status).asLong(0);
    }
    return answer.get("total").asLong() - ended;
  }

  /** {@code count} tasks through the API, eight requests at a time, all of them accepted. */
  private static void submitAll(Api client, int count) throws Exception {
    ExecutorService senders = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> sent = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        sent.add(senders.submit(() -> client.post("/api/v1/tasks", Tasks.add().build()).status()));
      }
      for (Future<Integer> status : sent) {
        if (status.get() != 202) {
          throw new IllegalStateException("a task of the tester's was refused: " + status.get());
        }
      }
    } finally {
      senders.shutdown();
      senders.awaitTermination(1, TimeUnit.MINUTES);
    }
  }
}
