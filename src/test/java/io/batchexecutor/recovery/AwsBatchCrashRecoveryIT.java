package io.batchexecutor.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.DockerSocketProxy;
import io.batchexecutor.support.ScratchCacheDir;
import io.batchexecutor.support.ServiceProcess;
import io.batchexecutor.support.Tasks;
import io.batchexecutor.support.TestRegistry;
import io.batchexecutor.support.aws.FakeAwsEndpoint;
import io.batchexecutor.support.s3.S3MockServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * The packaged service on the AWS Batch backend, against a fake AWS endpoint that runs jobs on the
 * local engine, is killed with {@code kill -9} while it holds one task in each of BUILDING,
 * PUSHING, REGISTERING, SUBMITTED (twice: with SubmitJob's answer still on its way, and after it)
 * and RUNNING. Started again, every task reaches its true outcome; no image is built twice, no job
 * definition registered twice, no job submitted or started twice.
 */
class AwsBatchCrashRecoveryIT {

  static final String BUCKET = "batch-executor-crash";

  /** A repository of this run only: an image left in the registry by an earlier run is no push. */
  static final String REPOSITORY =
      "batch-executor-crash-" + UUID.randomUUID().toString().substring(0, 8);

  static final String SECRET = "fake-secret-" + UUID.randomUUID();
  static final Duration WAIT = Duration.ofSeconds(120);

  /** Drawn for each run: the staged tasks' environments are new to the engine and registry. */
  static final int RUN = java.util.concurrent.ThreadLocalRandom.current().nextInt(1, 1_000_000);

  String payload;
  final List<String> tagged = new java.util.ArrayList<>();
  DockerClient docker;
  DockerSocketProxy dockerProxy;
  FakeAwsEndpoint aws;
  Path cacheDir;
  Path log;

  @BeforeEach
  void setUp() throws IOException {
    docker = DockerAvailable.client();
    DockerAvailable.assume(docker);
    String registry = TestRegistry.require();
    S3MockServer.get().ensureBucket(BUCKET);
    aws =
        new FakeAwsEndpoint(
            S3MockServer.get().endpoint(),
            registry,
            docker,
            Map.of(
                "AWS_ACCESS_KEY_ID", "fake-access-key",
                "AWS_SECRET_ACCESS_KEY", SECRET,
                "AWS_DEFAULT_REGION", "us-east-1"));
    dockerProxy = DockerSocketProxy.cutOnFreePort();
    dockerProxy.restore();
    cacheDir = ScratchCacheDir.create("aws-crash");
    log = cacheDir.resolve("service.log");
  }

  @AfterEach
  void tearDown() throws IOException {
    for (String repository : tagged) {
      try {
        docker.removeImageCmd(repository + ":latest").withNoPrune(true).exec(); // the name only
      } catch (RuntimeException e) {
        // in use by an environment image built on it: the name stays, which does no harm
      }
    }
    if (aws != null) {
      aws.close();
    }
    if (dockerProxy != null) {
      dockerProxy.close();
    }
    if (cacheDir != null) {
      ScratchCacheDir.remove(cacheDir);
    }
    docker.close();
  }

  /**
   * Baked, each task its own image; staged, each task in an environment of its own (its base image
   * under a name of this run), so that each reaches every step afresh and stages its payload too.
   */
  @ParameterizedTest
  @ValueSource(strings = {"baked", "staged"})
  void killedWithATaskInEveryStateEachFinishesOnceAfterARestart(String payload) throws Exception {
    this.payload = payload;
    try {
      killAndRestart();
    } catch (Exception | AssertionError e) {
      // what the endpoint was asked and what the service said: the test's own words are not enough
      e.addSuppressed(new AssertionError(whatHappened()));
      throw e;
    }
  }

  /** The AWS endpoint's last calls and the service's last log lines. */
  private String whatHappened() {
    List<String> calls = aws.calls();
    String said;
    try {
      String[] lines =
          Files.exists(log)
              ? new String(Files.readAllBytes(log), StandardCharsets.UTF_8).split("\n")
              : new String[0];
      said =
          String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 60), lines.length));
    } catch (IOException | RuntimeException e) {
      said = "(unreadable: " + e + ")";
    }
    return "the AWS endpoint's last calls: "
        + calls.subList(Math.max(0, calls.size() - 40), calls.size())
        + "\nthe service's log, last lines:\n"
        + said;
  }

  private void killAndRestart() throws Exception {
    Map<String, String> ids = new LinkedHashMap<>(); // state at the kill -> task id
    Map<String, Integer> expected = new LinkedHashMap<>();
    try (ServiceProcess first = start()) {
      Api api = first.api();

      ids.put("RUNNING", submit(api, 1, 8));
      await(api, ids.get("RUNNING"), t -> "RUNNING".equals(t.get("status").asString()));

      CountDownLatch gate = aws.gateNextJob();
      ids.put("SUBMITTED", submit(api, 2, 0));
      await(api, ids.get("SUBMITTED"), t -> "SUBMITTED".equals(t.get("status").asString()));

      FakeAwsEndpoint.Hold pushing = aws.holdNext("DescribeImages");
      ids.put("PUSHING", submit(api, 3, 0));
      pushing.awaitArrival(WAIT);

      FakeAwsEndpoint.Hold registering = aws.holdNext("RegisterJobDefinition");
      ids.put("REGISTERING", submit(api, 4, 0));
      registering.awaitArrival(WAIT);

      FakeAwsEndpoint.Hold submitting = aws.holdNext("SubmitJob");
      ids.put("SUBMITTING", submit(api, 5, 0));
      submitting.awaitArrival(WAIT);

      dockerProxy.cut();
      ids.put("BUILDING", submit(api, 6, 0));
      await(
          api,
          ids.get("BUILDING"),
          t -> t.get("status_reason").asString().startsWith("waiting: no Docker engine"));

      for (String state : List.of("PUSHING", "REGISTERING", "SUBMITTING")) {
        String status = api.get("/api/v1/tasks/" + ids.get(state)).json().get("status").asString();
        assertThat(status).as(state).isEqualTo(state.equals("SUBMITTING") ? "REGISTERING" : state);
      }
      first.kill();

      pushing.release();
      registering.release();
      submitting.release();
      gate.countDown();
      dockerProxy.restore();
    }
    for (int i = 1; i <= 6; i++) {
      expected.put(List.copyOf(ids.keySet()).get(i - 1), (int) Math.pow(10, i));
    }

    try (ServiceProcess second = start()) {
      Api api = second.api();
      for (Map.Entry<String, String> entry : ids.entrySet()) {
        String state = entry.getKey();
        String id = entry.getValue();
        JsonNode task =
            await(api, id, t -> CrashRecoveryIT.FINAL.contains(t.get("status").asString()));
        String jobName = "batch-executor-" + id;

        assertThat(task.get("status").asString()).as(state + ": " + task).isEqualTo("SUCCEEDED");
        assertThat(api.get("/api/v1/tasks/" + id + "/result").json().asInt())
            .as(state)
            .isEqualTo(expected.get(state));
        assertThat(aws.submissions(jobName)).as(state + ": submitted once").isEqualTo(1);
        assertThat(aws.containerStarts(jobName)).as(state + ": started once").isEqualTo(1);
        List<String> kinds =
            api.get("/api/v1/tasks/" + id + "/events")
                .json()
                .valueStream()
                .map(e -> e.get("kind").asString())
                .toList();
        assertThat(kinds.stream().filter("IMAGE"::equals)).as(state + ": built once").hasSize(1);
        assertThat(api.get("/api/v1/tasks/" + id + "/logs").text())
            .as(state + ": its log stream")
            .contains("computing " + Math.round(Math.log10(expected.get(state))));
        if (state.equals("SUBMITTING")) {
          assertThat(kinds).as("found by its name, not submitted again").contains("RECOVERED");
        }
      }
      assertThat(aws.definitionsRegistered())
          .as(
              "one definition per task image; the one whose answer was lost is found, not made"
                  + " again: %s",
              aws.calls())
          .isEqualTo(ids.size());
    }
    String serviceLog = Files.readString(log);
    assertThat(serviceLog).doesNotContain(SECRET).doesNotContain(Api.TESTER);
  }

  private ServiceProcess start() {
    String[] properties = {
      "batch-executor.backend=awsbatch",
      "batch-executor.docker.host=" + dockerProxy.dockerHost(),
      "batch-executor.image.base-image=" + DockerAvailable.BASE_IMAGE,
      // the staged tasks' base images: the tests' base image under names of this run
      "batch-executor.execution-profiles.awsbatch.allowed-base-images=local/crash-"
          + RUN
          + "-*:latest",
      "batch-executor.awsbatch.endpoint=" + aws.endpoint(),
      "batch-executor.awsbatch.region=us-east-1",
      "batch-executor.awsbatch.s3-path-style=true",
      "batch-executor.awsbatch.s3-bucket-name=" + BUCKET,
      "batch-executor.awsbatch.ecr-repo-name=" + REPOSITORY,
      "batch-executor.awsbatch.batch-queue=crash-queue",
      "batch-executor.awsbatch.poll-freq=1",
      "batch-executor.awsbatch.time-limit=120",
      "batch-executor.pipeline.lease-duration=4s",
      "batch-executor.pipeline.heartbeat-interval=1s",
      "batch-executor.pipeline.reaper-interval=1s",
      "batch-executor.pipeline.poll-interval=1s",
      "batch-executor.pipeline.unreachable-max-backoff=2s",
      "logging.level.root=WARN"
    };
    return ServiceProcess.start(
        cacheDir,
        log,
        Map.of(
            "AWS_ACCESS_KEY_ID", "fake-access-key",
            "AWS_SECRET_ACCESS_KEY", SECRET,
            "AWS_REGION", "us-east-1"),
        properties);
  }

  /**
   * For a staged task: the tests' base image under a name of this run and task, so that its
   * environment is new (the name is part of it) while its build, on the same image, takes a moment.
   */
  private String baseImageOf(int n) {
    String repository = "local/crash-" + RUN + "-" + n;
    if (!tagged.contains(repository)) {
      docker.tagImageCmd(DockerAvailable.BASE_IMAGE, repository, "latest").exec();
      tagged.add(repository);
    }
    return repository + ":latest";
  }

  /** A task returning 10^n after sleeping {@code sleep} seconds. */
  private String submit(Api api, int n, int sleep) {
    Tasks task =
        Tasks.function(
                "import time\ndef task(n):\n    print('computing', n)\n    time.sleep("
                    + sleep
                    + ")\n    return 10 ** n\n",
                "task")
            .set("args", List.of(n))
            .set(
                "image",
                payload.equals("staged")
                    ? Map.of("payload", payload, "base_image", baseImageOf(n))
                    : Map.of("payload", payload));
    Api.Response response = api.post("/api/v1/tasks", task.build());
    assertThat(response.status()).as(response.text()).isEqualTo(202);
    return response.json().get("id").asString();
  }

  private static JsonNode await(Api api, String id, Predicate<JsonNode> until) {
    return api.awaitTask(id, until, WAIT);
  }
}
