package io.batchexecutor.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import io.batchexecutor.backend.BuildImage;
import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.config.ImageProperties;
import io.batchexecutor.image.ImageBuilder;
import io.batchexecutor.image.PipInstall;
import io.batchexecutor.image.Runner;
import io.batchexecutor.image.TaskImage;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.LoopbackIndex;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.TaskBuilder;
import io.batchexecutor.support.Tasks;
import io.batchexecutor.support.TestStepContext;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskSpec;
import io.batchexecutor.task.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Image builds on the real engine against a package index of the test's own on a loopback port
 * (builds use the host's network, so they reach it): a wheel installs, a source-only package is
 * refused by pip, a build past the time-out is stopped, a cancel stops a build nobody else waits
 * for, and one client's slow builds (more than the instance has workers) leave room for another
 * client's.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.backend=local",
      "batch-executor.image.base-image=${BATCH_EXECUTOR_TEST_BASE_IMAGE:local/python:3}",
      "batch-executor.image.build-timeout=5m",
      "batch-executor.pipeline.workers=4",
      "batch-executor.image.max-builds-per-client=2"
    })
class GuardedBuildsIT {

  static final Set<String> FINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");
  static final Duration WAIT = Duration.ofSeconds(240);

  static final LoopbackIndex INDEX = LoopbackIndex.start();

  @DynamicPropertySource
  static void index(DynamicPropertyRegistry registry) {
    registry.add("batch-executor.image.index-url", INDEX::url);
  }

  @AfterAll
  static void stopIndex() {
    INDEX.close();
  }

  @LocalServerPort int port;
  @Autowired DockerClient docker;
  @Autowired BatchExecutorProperties properties;
  @Autowired ObjectStores stores;
  @Autowired JsonMapper json;
  Api api;

  @BeforeEach
  void engine() {
    DockerAvailable.assume(docker);
    api = new Api(port);
  }

  @Test
  void aWheelFromTheConfiguredIndexInstalls() {
    INDEX.addWheel("thepkg", "1.0", Map.of("thepkg/__init__.py", "def answer():\n    return 42\n"));

    JsonNode task =
        end(
            submit(
                api,
                Tasks.function("import thepkg\ndef task():\n    return thepkg.answer()\n", "task")
                    .set("image", Map.of("requirements", List.of("thepkg==1.0")))));

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    assertThat(api.get("/api/v1/tasks/" + task.get("id").asString() + "/result").json().asInt())
        .isEqualTo(42);
    assertThat(INDEX.requested()).contains("/simple/thepkg/", "/files/thepkg-1.0-py3-none-any.whl");
  }

  @Test
  void aSourceOnlyPackageIsRefusedByPipAndNoSetupPyRuns() {
    INDEX.addSourceOnly("srcpkg", "1.0");

    JsonNode task =
        end(
            submit(
                api,
                Tasks.function("import srcpkg\ndef task():\n    return 1\n", "task")
                    .set("image", Map.of("requirements", List.of("srcpkg==1.0")))));

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("FAILED");
    assertThat(task.get("status_reason").asString())
        .startsWith("image build failed: ")
        .contains("srcpkg==1.0");
    assertThat(task.get("error").get("type").asString()).isEqualTo("ImageBuildFailed");
    assertThat(wholeError(task).get("traceback").asString())
        .as("the build log")
        .contains("--only-binary=:all:")
        .contains("ERROR: ")
        .contains("srcpkg");
    assertThat(INDEX.requested())
        .as("pip looked the package up, found no wheel and took nothing")
        .contains("/simple/srcpkg/")
        .doesNotContain("/files/srcpkg-1.0.tar.gz", "/setup-py-ran");
  }

  /**
   * The step as the service makes it, with a time-out of its own (the service's is long enough for
   * the other builds on a busy machine).
   */
  @Test
  void aBuildPastItsTimeOutIsStoppedAndItsTaskFailsNamingTheSetting() throws Exception {
    String project = slowProject("timeout");
    ImageProperties configured = properties.image();
    BuildImage step =
        new BuildImage(
            new ImageBuilder(docker, java.time.Clock.systemUTC()),
            stores,
            Runner.script(),
            new ImageProperties(
                configured.baseImage(),
                configured.payload(),
                configured.indexUrl(),
                false,
                Duration.ofSeconds(5),
                2),
            json,
            false);
    Task task =
        TaskBuilder.aTask()
            .owner("tester")
            .image(new TaskSpec.ImageSpec(null, List.of(project + "==1.0"), "staged"))
            .build();
    TestStepContext context = new TestStepContext(Instant::now);

    step.run(task, context); // QUEUED → BUILDING
    long before = System.nanoTime();
    step.run(task, context); // the build

    assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(task.statusReason())
        .isEqualTo(
            "image build stopped after 5 s: it ran longer than batch-executor.image.build-timeout"
                + " allows");
    assertThat(task.error().type()).isEqualTo("ImageBuildTimedOut");
    assertThat(task.error().traceback()).as("the build log so far").contains(project);
    assertThat(INDEX.holding(project)).as("the build was in pip when it was stopped").isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(30));
    assertTheBuildStopped(project);
  }

  @Test
  void aCancelStopsABuildThatNoOtherTaskWaitsFor() {
    String project = slowProject("cancel");
    String id = submit(api, slowTask(project));
    await().atMost(WAIT).until(() -> INDEX.holding(project));
    assertThat(buildContainers(project)).as("pip runs in a build container").isNotEmpty();

    long before = System.nanoTime();
    assertThat(api.post("/api/v1/tasks/" + id + "/cancel", "").status()).isEqualTo(202);
    JsonNode task = end(id);

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("CANCELLED");
    assertThat(Duration.ofNanos(System.nanoTime() - before))
        .as("cancelled without waiting the build out")
        .isLessThan(Duration.ofSeconds(30));
    assertTheBuildStopped(project);
  }

  /** Two tasks wait for one build (on the builder the step uses); the first one leaves. */
  @Test
  void aBuildAnotherTaskStillWaitsForGoesOnWhenOneTaskStopsWaiting() throws Exception {
    String project = slowProject("shared");
    TaskImage image =
        TaskImage.environment(
            new TaskImage.Environment(
                properties.image().baseImage(),
                List.of(project + "==1.0"),
                false,
                new PipInstall(properties.image().indexUrl(), false)),
            Runner.script(),
            null,
            json);
    ImageBuilder builder = new ImageBuilder(docker, java.time.Clock.systemUTC());
    AtomicBoolean firstStops = new AtomicBoolean();
    AtomicBoolean secondStops = new AtomicBoolean();
    ExecutorService waiters = Executors.newFixedThreadPool(2);
    try {
      Future<Optional<ImageBuilder.Built>> first =
          waiters.submit(() -> builder.build(image, Duration.ofMinutes(5), firstStops::get));
      await().atMost(WAIT).until(() -> INDEX.holding(project));
      Future<Optional<ImageBuilder.Built>> second =
          waiters.submit(() -> builder.build(image, Duration.ofMinutes(5), secondStops::get));
      await().atMost(WAIT).until(() -> builder.waitingFor(image.localReference()) == 2);

      firstStops.set(true);

      assertThat(first.get(30, TimeUnit.SECONDS)).as("the first stopped waiting").isEmpty();
      Thread.sleep(3000); // the index would see pip go within a second of the engine stopping it
      assertThat(INDEX.hungUp(project)).as("the build goes on for the second").isFalse();
      assertThat(second.isDone()).isFalse();

      secondStops.set(true);

      assertThat(second.get(30, TimeUnit.SECONDS)).isEmpty();
      assertTheBuildStopped(project);
    } finally {
      firstStops.set(true);
      secondStops.set(true);
      waiters.shutdownNow();
    }
  }

  @Test
  void oneClientsSlowBuildsLeaveRoomForAnotherClientsTask() {
    // more slow builds than the instance has workers: without build slots they would take them all
    List<String> projects = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      projects.add(slowProject("slot" + i));
      ids.add(submit(api, slowTask(projects.get(i))));
    }
    await().atMost(WAIT).until(() -> projects.stream().filter(INDEX::holding).count() >= 2);
    await()
        .atMost(WAIT)
        .until(
            () ->
                ids.stream()
                        .map(id -> api.get("/api/v1/tasks/" + id).json())
                        .filter(
                            t ->
                                t.get("status_reason")
                                    .asString("")
                                    .startsWith("waits for a build slot"))
                        .count()
                    >= 2);

    Api intruder = api.as(Api.INTRUDER);
    JsonNode other =
        end(
            intruder,
            submit(
                intruder,
                Tasks.add()
                    .set("args", List.of(2, 3))
                    .set("image", Map.of("requirements", List.of(freshSatisfiedRequirement())))));

    assertThat(other.get("status").asString()).as(other.toString()).isEqualTo("SUCCEEDED");
    assertThat(projects.stream().filter(INDEX::holding).count())
        .as("the first client still had builds waiting for a slot")
        .isLessThan(projects.size());
    assertThat(INDEX.mostHeldAtOnce()).as("builds of one client at once").isLessThanOrEqualTo(2);
    for (String id : ids) {
      api.post("/api/v1/tasks/" + id + "/cancel", "");
    }
    for (String id : ids) {
      assertThat(end(id).get("status").asString()).isIn("CANCELLED", "FAILED");
    }
    for (String project : projects) {
      if (INDEX.holding(project)) {
        assertTheBuildStopped(project);
      }
    }
  }

  /** The task's error with its traceback: from {@code /error} where the view carries less. */
  private JsonNode wholeError(JsonNode task) {
    Api.Response whole = api.get("/api/v1/tasks/" + task.get("id").asString() + "/error");
    return whole.status() == 200 ? whole.json() : task.get("error");
  }

  /** pip's connection to the index went, and no container of the build still runs. */
  private void assertTheBuildStopped(String project) {
    await().atMost(Duration.ofSeconds(30)).until(() -> INDEX.hungUp(project));
    await().atMost(Duration.ofSeconds(30)).until(() -> buildContainers(project).isEmpty());
  }

  /** Running containers whose command names {@code project}: the build's RUN step. */
  private List<String> buildContainers(String project) {
    return docker.listContainersCmd().exec().stream()
        .filter(c -> String.valueOf(c.getCommand()).contains(project))
        .map(c -> c.getId())
        .toList();
  }

  private static String slowProject(String what) {
    String name = "slow-" + what + "-" + ThreadLocalRandom.current().nextInt(1_000_000);
    INDEX.addSlow(name);
    return name;
  }

  private static Tasks slowTask(String project) {
    return Tasks.add().set("image", Map.of("requirements", List.of(project + "==1.0")));
  }

  /** A requirement the base image meets without the index, in an environment not built yet. */
  private static String freshSatisfiedRequirement() {
    return "pip>=0.0." + ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
  }

  private static String submit(Api client, Tasks task) {
    Api.Response submitted = client.post("/api/v1/tasks", task.build());
    assertThat(submitted.status()).as(submitted.text()).isEqualTo(202);
    return submitted.json().get("id").asString();
  }

  private JsonNode end(String id) {
    return end(api, id);
  }

  private static JsonNode end(Api client, String id) {
    return client.awaitTask(id, t -> FINAL.contains(t.get("status").asString()), WAIT);
  }
}
