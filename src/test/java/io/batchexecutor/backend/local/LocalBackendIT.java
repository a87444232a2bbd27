package io.batchexecutor.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/** Tasks really run: images built with docker-java and run on the local engine, over the API. */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.backend=local",
      "batch-executor.image.base-image=${BATCH_EXECUTOR_TEST_BASE_IMAGE:local/python:3}",
      // an image that exists nowhere, allowed so that its build can fail
      "batch-executor.execution-profiles.local.allowed-base-images=batch-executor-test/*:*"
    })
class LocalBackendIT {

  static final Set<String> FINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");
  static final Duration WAIT = Duration.ofSeconds(120);

  @LocalServerPort int port;
  @Autowired DockerClient docker;
  Api api;

  @BeforeEach
  void engine() {
    DockerAvailable.assume(docker);
    api = new Api(port);
  }

  @Test
  void aFunctionRunsAndItsResultIsServed() {
    JsonNode task = run(Tasks.add().set("args", List.of(1, 2)));

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    assertThat(task.get("exit_code").asInt()).isZero();
    assertThat(task.get("attempts").asInt()).isEqualTo(1);
    assertThat(task.get("image").asString()).startsWith("batch-executor-env:");
    assertThat(task.get("result").asString()).startsWith("file:").endsWith("/result.json");
    Api.Response result = api.get("/api/v1/tasks/" + task.get("id").asString() + "/result");
    assertThat(result.status()).isEqualTo(200);
    assertThat(result.json().asInt()).isEqualTo(3);
    assertThat(statuses(task))
        .containsSubsequence("QUEUED", "BUILDING", "SUBMITTED", "RUNNING", "SUCCEEDED");
    assertThat(api.as(Api.OPERATOR).get("/actuator/prometheus").text())
        .as("each step timed")
        .contains(
            "batch_executor_step_seconds_count{backend=\"local\",outcome=\"proceeded\","
                + "step=\"AwaitContainer\"}")
        .contains("batch_executor_pipeline_inflight");
  }

  @Test
  void theEnvironmentImageGivesANewContainersVolumeOpenToItsUser() {
    JsonNode task = run(Tasks.add().set("args", List.of(4, 5)));
    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");

    assertThat(volumeMode(task.get("image").asString()) & 01777)
        .as("the service's image: its volume directory, open to all, copied into a new volume")
        .isEqualTo(01777);
    assertThat(volumeMode(DockerAvailable.BASE_IMAGE) & 07)
        .as("an image without that directory: the engine makes the mount point, root's alone")
        .isNotEqualTo(07);
  }

  /**
   * The mode of the volume's directory in a container made from {@code image} as the service does.
   */
  private int volumeMode(String image) {
    ContainerSpec spec =
        ContainerSpec.of(
            ContainerConfinement.defaults(),
            image,
            "new-volume-" + UUID.randomUUID(),
            Map.of(),
            List.of(),
            256,
            1,
            0);
    String container = spec.applyTo(docker.createContainerCmd(image)).exec().getId();
    try {
      VolumeFiles files = new VolumeFiles(docker, null, ContainerConfinement.defaults());
      int mode = files.modeOf(container);
      assertThat(files.opensNewVolumes(container)).isEqualTo((mode & 07) == 07);
      return mode;
    } finally {
      docker.removeContainerCmd(container).withForce(true).withRemoveVolumes(true).exec();
    }
  }

  @Test
  void aBaseImageWhoseUserIsNotRootBuildsAnEnvironmentAndRunsTasks() {
    String base = "batch-executor-test/non-root-" + UUID.randomUUID().toString().substring(0, 8);
    String source =
        System.getenv().getOrDefault("BATCH_EXECUTOR_TEST_BASE_IMAGE", "local/python:3");
    byte[] context =
        io.batchexecutor.image.TaskImage.tar(
            Map.of(
                "Dockerfile",
                ("FROM " + source + "\nUSER 1234:1234\n")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    docker
        .buildImageCmd(new java.io.ByteArrayInputStream(context))
        .withNetworkMode("host")
        .withTags(Set.of(base + ":1"))
        .exec(new com.github.dockerjava.api.command.BuildImageResultCallback())
        .awaitImageId();
    try {
      JsonNode task =
          run(
              Tasks.add()
                  .set("image", Map.of("base_image", base + ":1"))
                  .set("args", List.of(2, 3)));

      assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
      assertThat(result(task).asInt()).isEqualTo(5);
    } finally {
      docker.removeImageCmd(base + ":1").withForce(true).exec();
    }
  }

  @Test
  void anEnvironmentImageRemovedAfterTasksFoundItIsBuiltAgainForTheNextOne() {
    // a base of this test's own, so that no other test's environment is removed
    String base = "batch-executor-test/gone-" + UUID.randomUUID().toString().substring(0, 8);
    String source =
        System.getenv().getOrDefault("BATCH_EXECUTOR_TEST_BASE_IMAGE", "local/python:3");
    docker.tagImageCmd(source, base, "1").exec();
    try {
      Tasks call = Tasks.add().set("image", Map.of("base_image", base + ":1"));
      JsonNode built = run(call.set("args", List.of(1, 1)));
      JsonNode found = run(call.set("args", List.of(1, 2)));
      String environment = found.get("image").asString();
      assertThat(environment).isEqualTo(built.get("image").asString());
      docker.removeImageCmd(environment).withForce(true).exec();

      JsonNode next = run(call.set("args", List.of(1, 3)));

      assertThat(next.get("status").asString()).as(next.toString()).isEqualTo("SUCCEEDED");
      assertThat(result(next).asInt()).isEqualTo(4);
      assertThat(next.get("image").asString()).isEqualTo(environment);
      List<JsonNode> images =
          api.get("/api/v1/tasks/" + next.get("id").asString() + "/events")
              .json()
              .valueStream()
              .filter(e -> e.get("kind").asString().equals("IMAGE"))
              .toList();
      assertThat(images)
          .as("found as the engine had it a moment before, gone at the create, built again")
          .anySatisfy(
              e -> assertThat(e.path("details").path("gone").asString()).isEqualTo(environment))
          .anySatisfy(e -> assertThat(e.path("details").path("reused").asBoolean(true)).isFalse());
    } finally {
      docker.removeImageCmd(base + ":1").withForce(true).exec();
    }
  }

  @Test
  void stagedCallsWithNewArgumentsRunInOneEnvironmentImageWithTheirPayloadBesideIt()
      throws Exception {
    int nonce = java.util.concurrent.ThreadLocalRandom.current().nextInt(1_000_000);
    JsonNode first = run(Tasks.add().set("args", List.of(nonce, 1)));
    JsonNode second = run(Tasks.add().set("args", List.of(nonce, 2)));

    assertThat(first.get("status").asString()).as(first.toString()).isEqualTo("SUCCEEDED");
    assertThat(second.get("status").asString()).as(second.toString()).isEqualTo("SUCCEEDED");
    assertThat(result(first).asInt()).isEqualTo(nonce + 1);
    assertThat(result(second).asInt()).isEqualTo(nonce + 2);
    assertThat(second.get("image").asString())
        .startsWith("batch-executor-env:")
        .isEqualTo(first.get("image").asString());
    JsonNode image = event(second, "IMAGE");
    assertThat(image.get("reason").asString()).startsWith("environment image reused: ");
    assertThat(image.get("details").get("reused").asBoolean()).isTrue();
    assertThat(image.get("details").get("payload").asString()).isEqualTo("staged");
    java.nio.file.Path payload =
        java.nio.file.Path.of(
                java.net.URI.create(
                    second.get("result").asString().replace("result.json", "payload.json")))
            .toAbsolutePath();
    assertThat(JSON.readTree(java.nio.file.Files.readAllBytes(payload)).get("args").toString())
        .as("the call, stored beside the task's result")
        .isEqualTo("[" + nonce + ",2]");
  }

  @Test
  void aStagedCallTooLargeForTheEnvironmentIsCopiedIntoTheContainer() {
    String large = "ü".repeat(70_000); // 140,000 bytes of UTF-8: more than travels inline
    JsonNode task =
        run(
            Tasks.function("def task(text):\n    return [len(text), text[:2]]\n", "task")
                .set("args", List.of(large)));

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    assertThat(result(task).toString()).isEqualTo("[70000,\"üü\"]");
  }

  @Test
  void aBakedCallGetsAnImageOfItsOwnWithTheCallInIt() {
    int nonce = java.util.concurrent.ThreadLocalRandom.current().nextInt(1_000_000);
    JsonNode task =
        run(Tasks.add().set("args", List.of(nonce, 3)).set("image", Map.of("payload", "baked")));

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    assertThat(result(task).asInt()).isEqualTo(nonce + 3);
    assertThat(task.get("image").asString()).startsWith("batch-executor-task:");
    JsonNode image = event(task, "IMAGE");
    assertThat(image.get("reason").asString()).startsWith("image built: ");
    assertThat(image.get("details").get("payload").asString()).isEqualTo("baked");
    assertThat(
            java.nio.file.Files.exists(
                java.nio.file.Path.of(
                    java.net.URI.create(
                        task.get("result").asString().replace("result.json", "payload.json")))))
        .as("nothing staged beside a baked image")
        .isFalse();
  }

  private JsonNode result(JsonNode task) {
    return api.get("/api/v1/tasks/" + task.get("id").asString() + "/result").json();
  }

  private JsonNode event(JsonNode task, String kind) {
    return api.get("/api/v1/tasks/" + task.get("id").asString() + "/events")
        .json()
        .valueStream()
        .filter(e -> kind.equals(e.get("kind").asString()))
        .findFirst()
        .orElseThrow();
  }

  static final tools.jackson.databind.json.JsonMapper JSON =
      tools.jackson.databind.json.JsonMapper.builder().build();

  @Test
  void kwargsAndStructuredValuesRoundTrip() {
    JsonNode task =
        run(
            Tasks.function(
                    "def task(name, scale=1):\n    return {'name': name, 'values': [i * scale for i in range(3)]}\n",
                    "task")
                .set("kwargs", Map.of("name", "ü-unicode", "scale", 2)));

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    JsonNode value = api.get("/api/v1/tasks/" + task.get("id").asString() + "/result").json();
    assertThat(value.get("name").asString()).isEqualTo("ü-unicode");
    assertThat(value.get("values").toString()).isEqualTo("[0,2,4]");
  }

  @Test
  void aFunctionThatRaisesFailsWithTheExceptionTypeMessageAndTraceback() {
    JsonNode task =
        run(Tasks.function("def task():\n    raise ValueError('bad input 42')\n", "task"));

    assertThat(task.get("status").asString()).isEqualTo("FAILED");
    JsonNode error = task.get("error");
    assertThat(error.get("type").asString()).isEqualTo("ValueError");
    assertThat(error.get("message").asString()).isEqualTo("bad input 42");
    assertThat(error.get("has_traceback").asBoolean()).isTrue();
    JsonNode whole = api.get("/api/v1/tasks/" + task.get("id").asString() + "/error").json();
    assertThat(whole.get("message").asString()).isEqualTo("bad input 42");
    assertThat(whole.get("traceback").asString()).contains("Traceback").contains("in task");
    assertThat(task.get("exit_code").asInt()).isEqualTo(65);
    assertThat(task.get("attempts").asInt()).as("a raising function is not retried").isEqualTo(1);
    Api.Response result = api.get("/api/v1/tasks/" + task.get("id").asString() + "/result");
    assertThat(result.status()).isEqualTo(409);
    assertThat(result.json().get("error").get("type").asString()).isEqualTo("ValueError");
  }

  @Test
  void anExceptionMessageWithANulCharacterIsStillRecorded() {
    JsonNode task = run(Tasks.function("def task():\n    raise ValueError('a\\x00b')\n", "task"));

    assertThat(task.get("status").asString()).isEqualTo("FAILED");
    assertThat(task.get("error").get("message").asString()).isEqualTo("a\uFFFDb");
  }

  @Test
  void argumentsAreDataNeverCode() {
    String hostile =
        "'); import os; os.system('touch /tmp/pwned-by-batch-executor') #\n\"\"\" ${x} `id`";
    JsonNode task =
        run(
            Tasks.function("def task(s, **kw):\n    return [s, sorted(kw)]\n", "task")
                .set("args", List.of(hostile))
                .set("kwargs", Map.of("__class__", 1, "_x", 2)));

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    JsonNode value = api.get("/api/v1/tasks/" + task.get("id").asString() + "/result").json();
    assertThat(value.get(0).asString()).isEqualTo(hostile);
    assertThat(value.get(1).toString()).isEqualTo("[\"__class__\",\"_x\"]");
  }

  @Test
  void badPythonSourceFailsWithTheSyntaxError() {
    JsonNode task = run(Tasks.function("def task(:\n    return 1\n", "task"));

    assertThat(task.get("status").asString()).isEqualTo("FAILED");
    assertThat(task.get("error").get("type").asString()).isEqualTo("SyntaxError");
    assertThat(task.get("status_reason").asString()).contains("SyntaxError");
  }

  @Test
  void whatAFunctionPrintsIsInItsLogs() {
    String marker = "hello-" + UUID.randomUUID();
    JsonNode task =
        run(
            Tasks.function(
                "import sys\ndef task():\n    print('"
                    + marker
                    + "')\n    print('to stderr', file=sys.stderr)\n    return 0\n",
                "task"));

    Api.Response logs = api.get("/api/v1/tasks/" + task.get("id").asString() + "/logs");
    assertThat(logs.status()).isEqualTo(200);
    assertThat(logs.contentType()).startsWith("text/plain");
    assertThat(logs.text()).contains(marker).contains("to stderr");
    assertThat(logs.text())
        .as("the result travels in its files, never in the output")
        .doesNotContain("@@batch-executor-result");
  }

  @Test
  void followingTheLogsSendsTheOutputAsItComesAndEndsWhenTheTaskEnds() {
    Api.Response submitted =
        api.post(
            "/api/v1/tasks",
            Tasks.function(
                    "import time\ndef task():\n    print('first', flush=True)\n"
                        + "    time.sleep(6)\n    print('second', flush=True)\n    return 1\n",
                    "task")
                .build());
    String id = submitted.json().get("id").asString();

    HttpResponse<Stream<String>> followed = api.lines("/api/v1/tasks/" + id + "/logs?follow=true");

    assertThat(followed.statusCode()).isEqualTo(200);
    assertThat(followed.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    List<String> lines = new ArrayList<>();
    Iterator<String> arriving = followed.body().iterator();
    while (!lines.contains("first") && arriving.hasNext()) { // hasNext waits for a line
      lines.add(arriving.next());
    }
    String whenFirstArrived = api.get("/api/v1/tasks/" + id).json().get("status").asString();
    arriving.forEachRemaining(lines::add); // the answer ends once the task has
    assertThat(whenFirstArrived).as("sent while the task still ran").isEqualTo("RUNNING");
    assertThat(api.get("/api/v1/tasks/" + id).json().get("status").asString())
        .isEqualTo("SUCCEEDED");
    assertThat(lines)
        .as("everything once, in order, as /logs has it after the end")
        .isEqualTo(api.get("/api/v1/tasks/" + id + "/logs").text().lines().toList())
        .containsSubsequence("first", "second")
        .noneMatch(l -> l.contains("@@batch-executor-result"));
  }

  @Test
  void followingALongOutputSendsEveryLineOnceInOrder() {
    // 300 lines in bursts of 30 across several seconds, some on stderr, one long enough for the
    // engine to split it into pieces that share one time. The long line is in a burst of its own
    // stream only (180-209), 0.7 s from any stderr line: the engine reads the two streams apart,
    // and a stderr line written while it still stores the pieces stands between them in any
    // reading of the output (on a busy machine a stderr line 25 lines after the long one, in the
    // same burst, can)
    Api.Response submitted =
        api.post(
            "/api/v1/tasks",
            Tasks.function(
                    "import sys, time\n"
                        + "def task():\n"
                        + "    for i in range(300):\n"
                        + "        print('line %d' % i, flush=True)\n"
                        + "        if i % 50 == 25:\n"
                        + "            print('err %d' % i, file=sys.stderr, flush=True)\n"
                        + "        if i == 195:\n"
                        + "            print('x' * 40000, flush=True)\n"
                        + "        if i % 30 == 29:\n"
                        + "            time.sleep(0.7)\n"
                        + "    return 1\n",
                    "task")
                .build());
    String id = submitted.json().get("id").asString();

    List<String> lines =
        api.lines("/api/v1/tasks/" + id + "/logs?follow=true").body().toList(); // to the end

    assertThat(api.get("/api/v1/tasks/" + id).json().get("status").asString())
        .isEqualTo("SUCCEEDED");
    assertThat(lines)
        .as("all of it, as /logs has it after the end")
        .isEqualTo(api.get("/api/v1/tasks/" + id + "/logs").text().lines().toList());
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      expected.add("line " + i);
    }
    assertThat(lines.stream().filter(l -> l.startsWith("line ")).toList())
        .as("every line once, in order")
        .isEqualTo(expected);
    assertThat(lines.stream().filter(l -> l.startsWith("err ")).toList())
        .containsExactly("err 25", "err 75", "err 125", "err 175", "err 225", "err 275");
    assertThat(lines).filteredOn(l -> l.equals("x".repeat(40000))).hasSize(1);
  }

  @Test
  void followingAContainerFetchesFromTheEngineOnlyTheNewEntriesAndThoseOfOneSecond()
      throws Exception {
    // five bursts of 50 lines, more than a second apart: no second holds lines of two bursts
    String script =
        "import time\n"
            + "for burst in range(5):\n"
            + "    for i in range(50):\n"
            + "        print('line %d' % (burst * 50 + i), flush=True)\n"
            + "    time.sleep(1.1)\n";
    String id =
        docker
            .createContainerCmd(DockerAvailable.BASE_IMAGE)
            .withCmd("python3", "-c", script)
            .withHostConfig(
                com.github.dockerjava.api.model.HostConfig.newHostConfig().withNetworkMode("host"))
            .exec()
            .getId();
    LocalContainers containers =
        new LocalContainers(docker, null, null, ContainerConfinement.defaults());
    StringBuilder received = new StringBuilder();
    int reads = 0;
    try {
      docker.startContainerCmd(id).exec();
      DockerLogCursor cursor = DockerLogCursor.START;
      boolean running = true;
      while (running) {
        running =
            Boolean.TRUE.equals(docker.inspectContainerCmd(id).exec().getState().getRunning());
        DockerLogCursor.Read read = containers.output.logsAfter(id, cursor).orElseThrow();
        assertThat(read.fetched() - read.fresh())
            .as("entries fetched again in read %d: at most those of one burst", reads)
            .isLessThanOrEqualTo(50);
        received.append(read.text());
        cursor = read.next();
        reads++;
        Thread.sleep(200);
      }
    } finally {
      containers.remove(id);
    }

    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      expected.add("line " + i);
    }
    assertThat(received.toString().lines().toList()).isEqualTo(expected);
    assertThat(reads).as("reads while the container ran and after").isGreaterThan(5);
  }

  @Test
  void theOutputsOfAContainerAnEarlierVersionMadeAreReadWhereItsRunnerWroteThem() throws Exception {
    // before task containers had a volume of their own, the runner wrote into their root
    // filesystem; a task running across an upgrade still ends with its outputs
    String id =
        docker
            .createContainerCmd(DockerAvailable.BASE_IMAGE)
            .withEnv("BATCH_EXECUTOR_OUTPUT_DIR=/tmp/batch-executor/out")
            .withCmd(
                "python3",
                "-c",
                "import os\n"
                    + "os.makedirs('/tmp/batch-executor/out')\n"
                    + "open('/tmp/batch-executor/out/result.json', 'w').write('{\"ok\": true}')\n")
            .withHostConfig(
                com.github.dockerjava.api.model.HostConfig.newHostConfig().withNetworkMode("none"))
            .exec()
            .getId();
    LocalContainers containers =
        new LocalContainers(docker, null, null, ContainerConfinement.defaults());
    try {
      docker.startContainerCmd(id).exec();
      assertThat(containers.awaitExit(id, WAIT.toMillis())).contains(0);

      assertThat(containers.output.outputs(id))
          .hasEntrySatisfying(
              "result.json", bytes -> assertThat(new String(bytes)).isEqualTo("{\"ok\": true}"));
    } finally {
      containers.remove(id);
    }
  }

  @Test
  void moreCpusThanTheEngineHasAreLimitedToWhatItHasAndSaidSo() {
    int engine = docker.infoCmd().exec().getNCPU();
    JsonNode task = run(Tasks.add().set("args", List.of(1, 2)).executor("vcpu", engine + 1));

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    assertThat(task.get("executor").get("vcpu").asDouble()).isEqualTo(engine + 1);
    assertThat(
            api.get("/api/v1/tasks/" + task.get("id").asString() + "/events")
                .json()
                .valueStream()
                .filter(e -> "LIMITED".equals(e.get("kind").asString()))
                .map(e -> e.get("reason").asString()))
        .containsExactly(
            "vcpu "
                + (engine + 1)
                + " is more than the local engine's "
                + engine
                + " CPUs; each container gets "
                + engine);
  }

  @Test
  void aTaskOverItsTimeLimitIsKilledAndFails() {
    JsonNode task =
        run(
            Tasks.function("import time\ndef task():\n    time.sleep(120)\n", "task")
                .executor("time_limit", 2));

    assertThat(task.get("status").asString()).isEqualTo("FAILED");
    assertThat(task.get("status_reason").asString()).isEqualTo("time limit of 2 s exceeded");
    assertThat(containersOf(task)).isEmpty();
  }

  @Test
  void cancellingARunningTaskStopsItsContainer() {
    String marker = "running-" + UUID.randomUUID();
    String id =
        api.post(
                "/api/v1/tasks",
                Tasks.function(
                        "import time\ndef task():\n    print('"
                            + marker
                            + "', flush=True)\n    time.sleep(120)\n",
                        "task")
                    .build())
            .json()
            .get("id")
            .asString();
    api.awaitTask(id, t -> "RUNNING".equals(t.get("status").asString()), WAIT);
    await("live logs while running")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> api.get("/api/v1/tasks/" + id + "/logs").text(), logs -> logs.contains(marker));

    Api.Response cancel = api.post("/api/v1/tasks/" + id + "/cancel", "");
    assertThat(cancel.status()).isEqualTo(202);
    JsonNode task = api.awaitTask(id, t -> FINAL.contains(t.get("status").asString()), WAIT);

    assertThat(task.get("status").asString()).isEqualTo("CANCELLED");
    assertThat(containersOf(task)).isEmpty();
  }

  @Test
  void aLargeResultIsCopiedOutOfTheContainer() {
    JsonNode task =
        run(Tasks.function("def task():\n    return 'x' * (2 * 1024 * 1024)\n", "task"));

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    JsonNode value = api.get("/api/v1/tasks/" + task.get("id").asString() + "/result").json();
    assertThat(value.asString()).hasSize(2 * 1024 * 1024);
  }

  @Test
  void anAttemptThatEndsWithoutAResultIsRetriedUpToRetryAttempts() {
    JsonNode task =
        run(
            Tasks.function("import os\ndef task():\n    os._exit(3)\n", "task")
                .executor("retry_attempts", 2));

    assertThat(task.get("status").asString()).isEqualTo("FAILED");
    assertThat(task.get("attempts").asInt()).isEqualTo(2);
    assertThat(task.get("exit_code").asInt()).isEqualTo(3);
    assertThat(task.get("status_reason").asString())
        .contains("exited with code 3 without a result")
        .contains("attempt 2 of 2");
    assertThat(containersOf(task)).isEmpty();
  }

  @Test
  void theSameBakedTaskTwiceIsBuiltOnce() {
    Tasks same =
        Tasks.function("def task(x):\n    return x * 7\n", "task")
            .set("args", List.of(UUID.randomUUID().hashCode()))
            .set("image", Map.of("payload", "baked"));
    JsonNode first = run(same);
    JsonNode second = run(same);

    assertThat(second.get("image").asString()).isEqualTo(first.get("image").asString());
    assertThat(imageEvents(first)).containsExactly(false);
    assertThat(imageEvents(second)).containsExactly(true);
  }

  @Test
  void aValueJsonCannotCarryIsKeptAsAPickleAndDescribed() {
    JsonNode task = run(Tasks.function("def task():\n    return {1, 2, 3}\n", "task"));

    assertThat(task.get("status").asString()).isEqualTo("SUCCEEDED");
    String id = task.get("id").asString();
    JsonNode described = api.get("/api/v1/tasks/" + id + "/result").json();
    assertThat(described.get("pickled").asBoolean()).isTrue();
    assertThat(described.get("type").asString()).isEqualTo("builtins.set");
    assertThat(described.get("repr").asString()).isEqualTo("{1, 2, 3}");
    Api.Response pickle = api.get("/api/v1/tasks/" + id + "/result", "application/octet-stream");
    assertThat(pickle.status()).isEqualTo(200);
    assertThat(pickle.contentType()).startsWith("application/octet-stream");
    byte[] bytes = api.bytes("/api/v1/tasks/" + id + "/result", "application/octet-stream");
    assertThat(bytes[0] & 0xFF).as("pickle opcode PROTO").isEqualTo(0x80);
    assertThat(bytes[1]).as("pickle protocol 4").isEqualTo((byte) 4);
    assertThat(bytes[bytes.length - 1]).as("pickle opcode STOP").isEqualTo((byte) '.');
  }

  @Test
  void aRequirementTheBaseImageSatisfiesNeedsNoNetwork() {
    JsonNode task =
        run(
            Tasks.function("import boto3\ndef task():\n    return boto3.__name__\n", "task")
                .set("image", Map.of("requirements", List.of("boto3"))));

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
  }

  @Test
  void aBrokenBuildFailsTheTaskWithTheBuildError() {
    JsonNode task =
        run(Tasks.add().set("image", Map.of("base_image", "batch-executor-test/no-such-image:1")));

    assertThat(task.get("status").asString()).isEqualTo("FAILED");
    assertThat(task.get("status_reason").asString()).startsWith("image build failed");
    assertThat(task.get("error").get("type").asString()).isEqualTo("ImageBuildFailed");
  }

  @Test
  void aFileTheTaskKeepsIsServedAndAFileNoTransferKeepsIsNotStored() throws Exception {
    JsonNode task =
        run(
            Tasks.function(
                    "def task():\n"
                        + "    open('/tmp/out.txt', 'w').write('kept')\n"
                        + "    open('"
                        + ContainerSpec.OUTPUT_DIR
                        + "/file-1', 'w').write('stray')\n"
                        + "    return 1\n",
                    "task")
                .set("files", List.of(Map.of("path", "/tmp/out.txt", "order", "after"))));

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    String id = task.get("id").asString();
    assertThat(
            new String(api.bytes("/api/v1/tasks/" + id + "/files/0", "application/octet-stream")))
        .isEqualTo("kept");
    Path result = Path.of(URI.create(task.get("result").asString()));
    assertThat(result.resolveSibling("file-0")).hasContent("kept");
    assertThat(result.resolveSibling("file-1")).as("no transfer keeps it").doesNotExist();
  }

  private JsonNode run(Tasks task) {
    Api.Response submitted = api.post("/api/v1/tasks", task.build());
    assertThat(submitted.status()).as(submitted.text()).isEqualTo(202);
    return api.awaitTask(
        submitted.json().get("id").asString(),
        t -> FINAL.contains(t.get("status").asString()),
        WAIT);
  }

  private List<String> statuses(JsonNode task) {
    return api.get("/api/v1/tasks/" + task.get("id").asString() + "/events")
        .json()
        .valueStream()
        .filter(e -> "STATUS".equals(e.get("kind").asString()))
        .map(e -> e.get("to_status").asString())
        .toList();
  }

  private List<Boolean> imageEvents(JsonNode task) {
    return api.get("/api/v1/tasks/" + task.get("id").asString() + "/events")
        .json()
        .valueStream()
        .filter(e -> "IMAGE".equals(e.get("kind").asString()))
        .map(e -> e.get("details").get("reused").asBoolean())
        .toList();
  }

  private List<String> containersOf(JsonNode task) {
    return docker
        .listContainersCmd()
        .withShowAll(true)
        .withLabelFilter(Map.of(LocalContainers.TASK_LABEL, task.get("id").asString()))
        .exec()
        .stream()
        .map(c -> c.getId())
        .toList();
  }
}
