package io.batchexecutor.bench;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.Tasks;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * Benchmark, not a test: submit → SUCCEEDED of a trivial task whose image is already built, against
 * a bare {@code docker run} of that same image, in one run. Prints both medians and their ratio.
 *
 * <pre>./mvnw test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.batchexecutor.bench.SubmitToSucceededBenchmark [-Dbench.runs=20]</pre>
 */
public final class SubmitToSucceededBenchmark {

  public static void main(String[] args) throws Exception {
    int runs = Integer.getInteger("bench.runs", 20);
    try (BenchService started = BenchService.start()) {
      Api api = started.api;
      Tasks task = Tasks.add();

      JsonNode warm = submitAndWait(api, task); // builds the image once
      String image = warm.get("image").asString();
      bareDockerRun(image); // warms the engine's cache of the image

      java.util.Map<String, List<Double>> phases = new java.util.LinkedHashMap<>();
      List<Double> firstStep = new ArrayList<>();
      List<Double> service = new ArrayList<>();
      List<Double> seen = new ArrayList<>();
      List<Double> bare = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        java.time.Instant sent = java.time.Instant.now();
        JsonNode done = submitAndWait(api, task);
        seen.add(Duration.between(sent, java.time.Instant.now()).toNanos() / 1e9);
        java.time.Instant recorded = java.time.Instant.parse(done.get("finished_at").asString());
        service.add(Duration.between(sent, recorded).toNanos() / 1e9);
        firstStep.add(firstStepDelay(api, done));
        phases(api, done)
            .forEach((k, v) -> phases.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        if (!"SUCCEEDED".equals(done.get("status").asString())) {
          throw new IllegalStateException("task did not succeed: " + done);
        }
        long t1 = System.nanoTime();
        bareDockerRun(image);
        bare.add(seconds(System.nanoTime() - t1));
      }
      double s = median(service);
      double b = median(bare);
      System.out.printf(
          Locale.ROOT,
          "image %s, %d runs%nPOST -> first step          median %.1f ms%n"
              + "POST -> SUCCEEDED recorded median %.3f s (min %.3f, max %.3f)%n"
              + "bare docker run            median %.3f s (min %.3f, max %.3f)%nratio %.2f (goal <= 1.30)%n",
          image,
          runs,
          median(firstStep) * 1000,
          s,
          Collections.min(service),
          Collections.max(service),
          b,
          Collections.min(bare),
          Collections.max(bare),
          s / b);
      System.out.printf(
          Locale.ROOT, "POST -> client sees it     median %.3f s (?wait=60)%n", median(seen));
      System.out.println("where the time goes (medians, from the task's events):");
      phases.forEach(
          (phase, values) ->
              System.out.printf(Locale.ROOT, "  %-24s %7.1f ms%n", phase, median(values) * 1000));
    }
  }

  /** The time from each event to the next, named by the event it ends at. */
  private static java.util.Map<String, Double> phases(Api api, JsonNode task) {
    JsonNode events = api.get("/api/v1/tasks/" + task.get("id").asString() + "/events").json();
    java.util.Map<String, Double> phases = new java.util.LinkedHashMap<>();
    java.time.Instant previous = null;
    for (JsonNode e : events) {
      java.time.Instant at = java.time.Instant.parse(e.get("at").asString());
      if (previous != null) {
        String name =
            e.get("kind").asString().equals("STATUS")
                ? "-> " + e.get("to_status").asString()
                : e.get("kind").asString();
        phases.merge(name, Duration.between(previous, at).toNanos() / 1e9, Double::sum);
      }
      previous = at;
    }
    return phases;
  }

  private static JsonNode submitAndWait(Api api, Tasks task) {
    Api.Response accepted = api.post("/api/v1/tasks", task.build());
    if (accepted.status() != 202) {
      throw new IllegalStateException("the service refused the task: " + accepted.text());
    }
    String id = accepted.json().get("id").asString();
    for (int held = 0; held < 2; held++) { // an answer held until the task ends, twice at most
      JsonNode t = api.get("/api/v1/tasks/" + id + "?wait=60").json();
      String status = t.get("status").asString();
      if (status.equals("SUCCEEDED") || status.equals("FAILED") || status.equals("CANCELLED")) {
        return t;
      }
    }
    throw new IllegalStateException("task " + id + " did not finish within 2 minutes");
  }

  /** From acceptance to the pipeline's first status change (QUEUED → BUILDING), by the events. */
  private static double firstStepDelay(Api api, JsonNode task) {
    JsonNode events = api.get("/api/v1/tasks/" + task.get("id").asString() + "/events").json();
    java.time.Instant accepted = java.time.Instant.parse(events.get(0).get("at").asString());
    java.time.Instant building = java.time.Instant.parse(events.get(1).get("at").asString());
    return Duration.between(accepted, building).toNanos() / 1e9;
  }

  private static void bareDockerRun(String image) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("docker", "run", "--rm", "--network", "host", image)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("docker run " + image + " failed");
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
