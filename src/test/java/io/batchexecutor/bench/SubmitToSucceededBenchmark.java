package io.batchexecutor.bench;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.Tasks;
import io.batchexecutor.support.TestRegistry;
import io.batchexecutor.support.aws.FakeAwsEndpoint;
import io.batchexecutor.support.s3.S3MockServer;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * Benchmark, not a test: how long a client waits for a trivial task, POST until the held {@code
 * ?wait=60} answer arrives, against the floor — a bare {@code docker run --rm --network host} of
 * the task's base image running the same function on the same arguments ({@code python3 -c …}),
 * timed the same way, in one run, interleaved:
 *
 * <ol>
 *   <li>staged payload, the same function with new arguments every call (builds after the first are
 *       counted: the goal is none);
 *   <li>an identical resubmission, staged and baked (its image built already);
 *   <li>baked payload, new arguments every call (an image per call, for comparison);
 * </ol>
 *
 * then where the time of a staged call goes, phase by phase, from its events; then, on the tests'
 * loopback AWS endpoint (real registry, S3Mock, jobs as local containers; needs {@code
 * BATCH_EXECUTOR_TEST_REGISTRY}), a staged call on a known environment: POST → SUBMITTED, and how
 * long after the job's own {@code stoppedAt} the service recorded the end.
 *
 * <pre>./mvnw process-test-classes exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.batchexecutor.bench.SubmitToSucceededBenchmark [-Dbench.runs=20]</pre>
 */
public final class SubmitToSucceededBenchmark {

  static final String SOURCE = "def task(x, y):\n    return x + y\n";

  /** Whether baked calls with new arguments (an image each) are timed too: -Dbench.baked. */
  private static final boolean BAKED =
      Boolean.parseBoolean(System.getProperty("bench.baked", "true"));

  /**
   * The floor's confinement, that of the service's task containers by default (the defaults of
   * {@code batch-executor.local.*} and of a task's {@code vcpu} and {@code memory}): its user, no
   * capability, no-new-privileges, a read-only root, a tmpfs {@code /tmp}, a pids limit, no
   * network, the same memory and CPUs. {@code -Dbench.floor=bare}: none of it, on the host's
   * network, as the floor used to be.
   */
  private static List<String> floorConfinement() {
    if ("bare".equals(System.getProperty("bench.floor"))) {
      return List.of("--network", "host");
    }
    long memory = (long) (3.75 * 1024) * 1024 * 1024;
    int cpus = Math.min(2, Runtime.getRuntime().availableProcessors());
    return List.of(
        "--network",
        "none",
        "--user",
        "10001:10001",
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges",
        "--read-only",
        "--tmpfs",
        "/tmp:rw,nosuid,nodev,mode=1777,size=" + memory,
        "--pids-limit",
        "512",
        "--memory",
        Long.toString(memory),
        "--memory-swap",
        Long.toString(memory),
        "--cpus",
        Integer.toString(cpus),
        "-e",
        "HOME=/tmp");
  }

  public static void main(String[] args) throws Exception {
    int runs = Integer.getInteger("bench.runs", 20);
    String base = System.getenv().getOrDefault("BATCH_EXECUTOR_TEST_BASE_IMAGE", "local/python:3");
    local(runs, base);
    if (!Boolean.parseBoolean(System.getProperty("bench.aws", "true"))) {
      System.out.println("AWS endpoint phase skipped: -Dbench.aws=false");
    } else if (TestRegistry.ADDRESS == null) {
      System.out.println("AWS endpoint phase skipped: BATCH_EXECUTOR_TEST_REGISTRY is not set");
    } else {
      onAwsEndpoint(runs, base);
    }
  }

  private static void local(int runs, String base) throws Exception {
    try (BenchService started = BenchService.start()) {
      Api api = started.api;
      int nonce = (int) (System.nanoTime() % 1_000_000);
      JsonNode warm = submitAndWait(api, call(nonce, 0, "staged")); // builds the environment
      submitAndWait(api, call(nonce, -1, "baked")); // and the baked layers below the call
      bareDockerRun(base, nonce, 0); // warms the engine's cache of the base image

      List<Double> staged = new ArrayList<>();
      List<Double> identical = new ArrayList<>();
      List<Double> identicalBaked = new ArrayList<>();
      List<Double> baked = new ArrayList<>();
      List<Double> bare = new ArrayList<>();
      List<JsonNode> stagedTasks = new ArrayList<>();
      Map<String, List<Double>> phases = new LinkedHashMap<>();
      for (int i = 1; i <= runs; i++) {
        settle();
        Instant sent = Instant.now();
        JsonNode done = submitAndWait(api, call(nonce, i, "staged"));
        Instant answered = Instant.now();
        staged.add(seconds(sent, answered));
        stagedTasks.add(done);
        phases(api, done, sent, answered)
            .forEach((k, v) -> phases.computeIfAbsent(k, x -> new ArrayList<>()).add(v));

        settle();
        sent = Instant.now();
        submitAndWait(api, call(nonce, 0, "staged"));
        identical.add(since(sent));

        settle();
        sent = Instant.now();
        submitAndWait(api, call(nonce, -1, "baked"));
        identicalBaked.add(since(sent));

        if (BAKED) {
          settle();
          sent = Instant.now();
          submitAndWait(api, call(nonce + 1, i, "baked"));
          baked.add(since(sent));
        }

        settle();
        long t = System.nanoTime();
        bareDockerRun(base, nonce, i);
        bare.add((System.nanoTime() - t) / 1e9);
      }
      long builds =
          stagedTasks.stream().filter(t -> !imageEvent(api, t).path("reused").asBoolean()).count();
      double floor = median(bare);
      System.out.printf(
          Locale.ROOT,
          "local engine, base image %s, environment image %s, %d runs each (medians)%n",
          base,
          warm.get("image").asString(),
          runs);
      System.out.printf(
          Locale.ROOT,
          "  %-44s %.3f s (%s)%n",
          "docker run --rm (the floor)",
          floor,
          "bare".equals(System.getProperty("bench.floor"))
              ? "bare, host network"
              : "confined as the service's containers");
      row("staged, new arguments every call", staged, floor, "goal <= 1.30");
      row("identical resubmission (staged)", identical, floor, "goal <= 1.20");
      row("identical resubmission (baked)", identicalBaked, floor, "goal <= 1.20");
      if (BAKED) {
        row("baked, new arguments every call", baked, floor, "for comparison");
      }
      System.out.printf(
          Locale.ROOT, "  builds for the %d staged calls after the first: %d%n", runs, builds);
      System.out.println("where the time of a staged call goes (medians, from its events):");
      phases.forEach(
          (phase, values) ->
              System.out.printf(Locale.ROOT, "  %-24s %7.1f ms%n", phase, median(values) * 1000));
      System.out.println("each pipeline step's mean over every call above (its own timer):");
      stepTimes(api)
          .forEach((step, ms) -> System.out.printf(Locale.ROOT, "  %-24s %7.1f ms%n", step, ms));
    }
  }

  /** The mean duration of each step that proceeded, from the service's Prometheus timers. */
  private static Map<String, Double> stepTimes(Api api) {
    Map<String, Double> sums = new LinkedHashMap<>();
    Map<String, Double> counts = new LinkedHashMap<>();
    for (String line : api.as(Api.OPERATOR).get("/actuator/prometheus").text().lines().toList()) {
      if (!line.startsWith("batch_executor_step_seconds_") || !line.contains("proceeded")) {
        continue;
      }
      String step = line.replaceAll(".*step=\"([^\"]+)\".*", "$1");
      double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      if (line.startsWith("batch_executor_step_seconds_sum")) {
        sums.put(step, value);
      } else if (line.startsWith("batch_executor_step_seconds_count")) {
        counts.put(step, value);
      }
    }
    Map<String, Double> means = new LinkedHashMap<>();
    sums.forEach((step, sum) -> means.put(step, sum / counts.getOrDefault(step, 1.0) * 1000));
    return means;
  }

  private static void onAwsEndpoint(int runs, String base) throws Exception {
    String bucket = "batch-executor-bench";
    S3MockServer.get().ensureBucket(bucket);
    // the SDK's default chain, as the build gives the tests: dummy keys, never a developer's
    System.setProperty("aws.accessKeyId", "test");
    System.setProperty("aws.secretAccessKey", "test");
    try (FakeAwsEndpoint aws = FakeAwsEndpoint.forTests();
        BenchService started =
            BenchService.start(
                "batch-executor.backend=awsbatch",
                "batch-executor.awsbatch.endpoint=" + aws.endpoint(),
                "batch-executor.awsbatch.region=us-east-1",
                "batch-executor.awsbatch.s3-path-style=true",
                "batch-executor.awsbatch.s3-bucket-name=" + bucket,
                "batch-executor.awsbatch.ecr-repo-name=bench-" + UUID.randomUUID(),
                "batch-executor.awsbatch.poll-freq=1",
                "batch-executor.awsbatch.time-limit=120")) {
      Api api = started.api;
      int nonce = (int) (System.nanoTime() % 1_000_000);
      submitAndWait(api, call(nonce, 0, "staged")); // builds, pushes, registers once
      List<Double> toSubmitted = new ArrayList<>();
      List<Double> endSeen = new ArrayList<>();
      List<Double> clientSees = new ArrayList<>();
      for (int i = 1; i <= runs; i++) {
        settle();
        Instant sent = Instant.now();
        JsonNode done = submitAndWait(api, call(nonce, i, "staged"));
        clientSees.add(since(sent));
        JsonNode submitted = statusEvent(api, done, "SUBMITTED");
        toSubmitted.add(seconds(sent, Instant.parse(submitted.get("at").asString())));
        long stopped =
            aws.stoppedAt(done.get("batch_job_id").asString())
                .orElseThrow(() -> new IllegalStateException("no stoppedAt for " + done));
        endSeen.add(
            seconds(
                Instant.ofEpochMilli(stopped), Instant.parse(done.get("finished_at").asString())));
      }
      System.out.printf(
          Locale.ROOT,
          "AWS Batch on the tests' loopback endpoint, staged, known environment, poll_freq 1 s,"
              + " %d runs (medians)%n",
          runs);
      System.out.printf(
          Locale.ROOT,
          "  %-44s %.3f s (max %.3f; goal <= 0.2)%n",
          "POST -> SUBMITTED",
          median(toSubmitted),
          Collections.max(toSubmitted));
      System.out.printf(
          Locale.ROOT,
          "  %-44s %.3f s (max %.3f; goal <= poll_freq + 0.3 = 1.3)%n",
          "job's stoppedAt -> end recorded",
          median(endSeen),
          Collections.max(endSeen));
      System.out.printf(
          Locale.ROOT, "  %-44s %.3f s%n", "POST -> client sees the end", median(clientSees));
    }
  }

  private static Map<String, Object> call(int x, int y, String payload) {
    return Tasks.function(SOURCE, "task")
        .set("args", List.of(x, y))
        .set("image", Map.of("payload", payload))
        .build();
  }

  private static void row(String name, List<Double> values, double floor, String goal) {
    double m = median(values);
    System.out.printf(
        Locale.ROOT,
        "  %-44s %.3f s  ratio %.2f (%s; min %.3f, max %.3f)%n",
        name,
        m,
        m / floor,
        goal,
        Collections.min(values),
        Collections.max(values));
  }

  private static JsonNode imageEvent(Api api, JsonNode task) {
    for (JsonNode e : api.get("/api/v1/tasks/" + task.get("id").asString() + "/events").json()) {
      if ("IMAGE".equals(e.get("kind").asString())) {
        return e.get("details");
      }
    }
    throw new IllegalStateException("no IMAGE event for " + task);
  }

  private static JsonNode statusEvent(Api api, JsonNode task, String status) {
    for (JsonNode e : api.get("/api/v1/tasks/" + task.get("id").asString() + "/events").json()) {
      if ("STATUS".equals(e.get("kind").asString())
          && status.equals(e.path("to_status").asString())) {
        return e;
      }
    }
    throw new IllegalStateException("no " + status + " event for " + task);
  }

  /**
   * The time from each event to the next, named by the event it ends at, from the client's {@code
   * sent} to the first and from the last to the client's {@code answered}.
   */
  private static Map<String, Double> phases(
      Api api, JsonNode task, Instant sent, Instant answered) {
    JsonNode events = api.get("/api/v1/tasks/" + task.get("id").asString() + "/events").json();
    Map<String, Double> phases = new LinkedHashMap<>();
    Instant previous = sent;
    for (JsonNode e : events) {
      Instant at = Instant.parse(e.get("at").asString());
      String name =
          e.get("kind").asString().equals("STATUS")
              ? "-> " + e.get("to_status").asString()
              : e.get("kind").asString();
      phases.merge(
          previous == sent ? "POST -> accepted" : name, seconds(previous, at), Double::sum);
      previous = at;
    }
    phases.put("end -> answer", seconds(previous, answered));
    return phases;
  }

  private static JsonNode submitAndWait(Api api, Map<String, Object> task) {
    Api.Response accepted = api.post("/api/v1/tasks", task);
    if (accepted.status() != 202) {
      throw new IllegalStateException("the service refused the task: " + accepted.text());
    }
    String id = accepted.json().get("id").asString();
    for (int held = 0; held < 3; held++) { // an answer held until the task ends
      JsonNode t = api.get("/api/v1/tasks/" + id + "?wait=60").json();
      String status = t.get("status").asString();
      if (status.equals("SUCCEEDED")) {
        return t;
      }
      if (status.equals("FAILED") || status.equals("CANCELLED")) {
        throw new IllegalStateException("task did not succeed: " + t);
      }
    }
    throw new IllegalStateException("task " + id + " did not finish within 3 minutes");
  }

  /** The floor: the same function on the same arguments in a bare container of the base image. */
  private static void bareDockerRun(String image, int x, int y)
      throws IOException, InterruptedException {
    String program = SOURCE + "print(task(" + x + ", " + y + "))\n";
    List<String> command = new ArrayList<>(List.of("docker", "run", "--rm"));
    command.addAll(floorConfinement());
    command.addAll(List.of(image, "python3", "-c", program));
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("docker run " + image + " failed");
    }
  }

  /**
   * A pause before each timed call, the floor's included, so that each starts on an engine and a
   * service at rest: what one call left to do in the background (a container's removal a second
   * after its end, the garbage collector) is not charged to the next ({@code -Dbench.settle=0}
   * times calls back to back).
   */
  private static void settle() throws InterruptedException {
    Thread.sleep(Long.getLong("bench.settle", 1500));
  }

  private static double since(Instant start) {
    return seconds(start, Instant.now());
  }

  private static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toNanos() / 1e9;
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
