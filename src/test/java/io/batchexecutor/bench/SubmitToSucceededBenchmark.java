package io.batchexecutor.bench;

import io.batchexecutor.BatchExecutorApplication;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.Tasks;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
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
    String baseImage =
        System.getenv().getOrDefault("BATCH_EXECUTOR_TEST_BASE_IMAGE", "local/python:3");
    ConfigurableApplicationContext app =
        new SpringApplicationBuilder(BatchExecutorApplication.class)
            .properties(
                "server.port=0",
                "batch-executor.backend=local",
                "batch-executor.image.base-image=" + baseImage,
                "batch-executor.awsbatch.cache-dir=/tmp/batch-executor-bench",
                "batch-executor.security.tokens=tester=" + Api.TESTER,
                "logging.level.root=WARN")
            .run();
    try {
      Environment env = app.getEnvironment();
      Api api = new Api(Integer.parseInt(env.getRequiredProperty("local.server.port")));
      Tasks task = Tasks.add();

      JsonNode warm = submitAndWait(api, task); // builds the image once
      String image = warm.get("image").asString();
      bareDockerRun(image); // warms the engine's cache of the image

      List<Double> firstStep = new ArrayList<>();
      List<Double> service = new ArrayList<>();
      List<Double> bare = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        long t0 = System.nanoTime();
        JsonNode done = submitAndWait(api, task);
        service.add(seconds(System.nanoTime() - t0));
        firstStep.add(firstStepDelay(api, done));
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
          "image %s, %d runs%nPOST -> first step   median %.1f ms%n"
              + "submit -> SUCCEEDED  median %.3f s (min %.3f, max %.3f)%n"
              + "bare docker run      median %.3f s (min %.3f, max %.3f)%nratio %.2f (goal <= 1.30)%n",
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
    } finally {
      app.close();
    }
  }

  private static JsonNode submitAndWait(Api api, Tasks task) {
    Api.Response accepted = api.post("/api/v1/tasks", task.build());
    if (accepted.status() != 202) {
      throw new IllegalStateException("the service refused the task: " + accepted.text());
    }
    String id = accepted.json().get("id").asString();
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode t = api.get("/api/v1/tasks/" + id).json();
      String status = t.get("status").asString();
      if (status.equals("SUCCEEDED") || status.equals("FAILED") || status.equals("CANCELLED")) {
        return t;
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
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
