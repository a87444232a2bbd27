package io.batchexecutor.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import io.batchexecutor.db.EmbeddedPostgres;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.SettableClock;
import io.batchexecutor.support.Tasks;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A task of one client cannot reach the service, its database, the engine or another client's
 * traffic, and cannot starve another client's task: task containers as the defaults confine them
 * (no {@code batch-executor.local.*} set), on the real engine. The task itself reports what it sees
 * from inside.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.backend=local",
      "batch-executor.image.base-image=${BATCH_EXECUTOR_TEST_BASE_IMAGE:local/python:3}"
    })
class TaskIsolationIT {

  static final Set<String> FINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");
  static final Duration WAIT = Duration.ofSeconds(120);

  /** What a task looks for from inside its container, as an attacker with a client token would. */
  static final String PROBE =
      """
      import getpass, os, socket, time

      def _attempt(action):
          try:
              return "ok: %s" % (action(),)
          except Exception as error:
              return "%s: %s" % (type(error).__name__, error)

      def _connect(port):
          s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
          s.settimeout(3)
          try:
              s.connect(("127.0.0.1", port))
              return "connected"
          finally:
              s.close()

      def _sniff(seconds):
          # a raw socket on lo, listening for the bearer token of a client calling the service
          s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
          s.bind(("lo", 0))
          s.settimeout(0.2)
          seen = b""
          end = time.time() + seconds
          while time.time() < end:
              try:
                  seen += s.recv(65535)
              except socket.timeout:
                  pass
          return "token seen" if b"Bearer " in seen else "%d bytes, no token" % len(seen)

      def _write(directory):
          path = os.path.join(directory, "probe-%d" % os.getpid())
          with open(path, "w") as f:
              f.write("x")
          os.remove(path)
          return "written"

      def _status():
          fields = {}
          with open("/proc/self/status") as f:
              for line in f:
                  key, _, value = line.partition(":")
                  fields[key] = value.strip()
          return fields

      def _pids_max():
          for path in ("/sys/fs/cgroup/pids.max", "/sys/fs/cgroup/pids/pids.max"):
              if os.path.exists(path):
                  with open(path) as f:
                      return f.read().strip()
          return None

      def _root_mount_options():
          with open("/proc/self/mounts") as f:
              for line in f:
                  parts = line.split()
                  if parts[1] == "/":
                      return parts[3].split(",")
          return []

      def task(service_port, database_port):
          status = _status()
          return {
              "uid": os.getuid(),
              "user": getpass.getuser(),
              "cap_eff": status.get("CapEff"),
              "cap_prm": status.get("CapPrm"),
              "no_new_privs": status.get("NoNewPrivs"),
              "raw_socket": _attempt(lambda: _sniff(3)),
              "service": _attempt(lambda: _connect(service_port)),
              "database": _attempt(lambda: _connect(database_port)),
              "interfaces": sorted(os.listdir("/sys/class/net")),
              "docker_socket": [p for p in ("/var/run/docker.sock", "/run/docker.sock")
                                if os.path.exists(p)],
              "environment": dict(os.environ),
              "write_root": _attempt(lambda: _write("/")),
              "write_usr": _attempt(lambda: _write("/usr")),
              "write_tmp": _attempt(lambda: _write("/tmp")),
              "write_home": _attempt(lambda: _write(os.path.expanduser("~"))),
              "root_mount": _root_mount_options(),
              "pids_max": _pids_max(),
          }
      """;

  /** Forks until the pids limit refuses, says so once, and keeps every process spinning. */
  static final String FORK_BOMB =
      """
      import os

      def task():
          root = os.getpid()
          told = False
          while True:
              try:
                  os.fork()
              except OSError as error:
                  if os.getpid() == root and not told:
                      print("fork refused: %s" % type(error).__name__, flush=True)
                      told = True
      """;

  @LocalServerPort int port;
  @Autowired DockerClient docker;
  @Autowired EmbeddedPostgres postgres;
  @Autowired SettableClock clock;
  Api clientA;
  Api clientB;

  @BeforeEach
  void engine() {
    DockerAvailable.assume(docker);
    clientA = new Api(port);
    clientB = clientA.as(Api.INTRUDER);
  }

  @Test
  void aTaskSeesNothingOfTheServiceTheEngineOrAnotherClient() throws Exception {
    AtomicBoolean calling = new AtomicBoolean(true);
    AtomicInteger calls = new AtomicInteger();
    Thread otherClient =
        new Thread(
            () -> {
              while (calling.get()) {
                clientB.get("/api/v1/tasks");
                calls.incrementAndGet();
              }
            },
            "client-b");
    otherClient.start();
    JsonNode task;
    try {
      task =
          run(clientA, Tasks.function(PROBE, "task").set("args", List.of(port, postgres.port())));
    } finally {
      calling.set(false);
      otherClient.join();
    }

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    assertThat(calls.get()).as("client B called the API while the task ran").isPositive();
    JsonNode seen = clientA.get("/api/v1/tasks/" + task.get("id").asString() + "/result").json();
    assertThat(seen.get("raw_socket").asString())
        .as("a raw socket needs a capability the task does not have")
        .startsWith("PermissionError");
    assertThat(seen.get("interfaces").toString())
        .as("no network: a loopback of its own")
        .isEqualTo("[\"lo\"]");
    assertThat(seen.get("service").asString()).as("the service's port").doesNotStartWith("ok");
    assertThat(seen.get("database").asString()).as("the database's port").doesNotStartWith("ok");
    assertThat(seen.get("docker_socket").isEmpty()).as(seen.toString()).isTrue();
    assertThat(seen.get("uid").asInt()).isNotZero();
    assertThat(seen.get("user").asString())
        .as("a name for a user the image does not know")
        .isEqualTo("task");
    assertThat(seen.get("cap_eff").asString()).isEqualTo("0000000000000000");
    assertThat(seen.get("cap_prm").asString()).isEqualTo("0000000000000000");
    assertThat(seen.get("no_new_privs").asString()).isEqualTo("1");
    assertThat(seen.get("root_mount").toString()).as("the root filesystem").contains("\"ro\"");
    assertThat(seen.get("write_root").asString()).doesNotStartWith("ok");
    assertThat(seen.get("write_usr").asString()).doesNotStartWith("ok");
    assertThat(seen.get("write_tmp").asString()).isEqualTo("ok: written");
    assertThat(seen.get("write_home").asString()).isEqualTo("ok: written");
    assertThat(seen.get("pids_max").asString()).isEqualTo("512");
    JsonNode environment = seen.get("environment");
    for (Map.Entry<String, JsonNode> variable : environment.properties()) {
      String name = variable.getKey();
      String value = variable.getValue().asString();
      assertThat(name)
          .as("no secret of the service in the task's environment")
          .doesNotContainIgnoringCase("TOKEN")
          .doesNotContainIgnoringCase("PASSWORD")
          .doesNotContainIgnoringCase("SECRET")
          .doesNotStartWith("AWS_")
          .doesNotStartWith("SPRING_")
          .doesNotStartWith("BATCH_EXECUTOR_SECURITY");
      assertThat(value)
          .as("the value of %s", name)
          .doesNotContain(Api.TESTER)
          .doesNotContain(Api.INTRUDER)
          .doesNotContain(postgres.password());
    }
  }

  @Test
  void aForkBombIsBoundedByThePidsLimitAndEndsAtItsTimeLimitWhileAnotherClientsTaskSucceeds() {
    String bomb =
        clientA
            .post(
                "/api/v1/tasks",
                Tasks.function(FORK_BOMB, "task")
                    .name("fork-bomb")
                    .executor("time_limit", 20)
                    .executor("vcpu", 0.5)
                    .executor("memory", 1)
                    .executor("retry_attempts", 1)
                    .build())
            .json()
            .get("id")
            .asString();
    await("the fork bomb meets the pids limit")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> clientA.get("/api/v1/tasks/" + bomb + "/logs").text(),
            logs -> logs.contains("fork refused: BlockingIOError"));

    JsonNode other = run(clientB, Tasks.add().set("args", List.of(20, 22)));
    String bombMeanwhile = clientA.get("/api/v1/tasks/" + bomb).json().get("status").asString();
    // its 20 s pass on the service's clock instead of being waited out (the deadline is counted
    // from the container's start, which Docker timestamps; the service compares it with its clock)
    clock.advance(Duration.ofSeconds(20));
    JsonNode ended = clientA.awaitTask(bomb, t -> FINAL.contains(t.get("status").asString()), WAIT);

    assertThat(other.get("status").asString()).as(other.toString()).isEqualTo("SUCCEEDED");
    assertThat(clientB.get("/api/v1/tasks/" + other.get("id").asString() + "/result").text())
        .isEqualTo("42");
    assertThat(bombMeanwhile)
        .as("the bomb still ran when the other task ended")
        .isEqualTo("RUNNING");
    assertThat(ended.get("status").asString()).isEqualTo("FAILED");
    assertThat(ended.get("status_reason").asString()).isEqualTo("time limit of 20 s exceeded");
    assertThat(
            docker
                .listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of(LocalContainers.TASK_LABEL, bomb))
                .exec())
        .as("its container is gone")
        .isEmpty();
  }

  @Test
  void anOutputBeyondTheLogCapKeepsItsHeadAndTailAndTheResult() {
    // 24 MiB of output against the default cap of 16 MB: the middle is dropped
    JsonNode task =
        run(
            clientA,
            Tasks.function(
                "import sys\n"
                    + "def task():\n"
                    + "    print('first line', flush=True)\n"
                    + "    line = 'x' * 1023 + '\\n'\n"
                    + "    for _ in range(24):\n"
                    + "        sys.stdout.write(line * 1024)\n"
                    + "    print('last line', flush=True)\n"
                    + "    return 7\n",
                "task"));

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    String id = task.get("id").asString();
    assertThat(clientA.get("/api/v1/tasks/" + id + "/result").text()).isEqualTo("7");
    String logs = clientA.get("/api/v1/tasks/" + id + "/logs").text();
    assertThat(logs.length())
        .as("at most the cap and the line that says what was dropped")
        .isLessThanOrEqualTo(16 * 1024 * 1024 + 200);
    assertThat(logs)
        .startsWith("first line\n")
        .contains("bytes of output dropped here")
        .endsWith("last line\n");
  }

  @Test
  void theHealthDetailsShowTheConfinementWithNoRelaxation() {
    JsonNode health = clientA.as(Api.OPERATOR).get("/actuator/health").json();
    JsonNode details = health.get("components").get("taskContainers").get("details");

    assertThat(details.get("user").asString()).isEqualTo("10001:10001");
    assertThat(details.get("network").asString()).isEqualTo("none");
    assertThat(details.get("read_only_root").asBoolean()).isTrue();
    assertThat(details.get("pids_limit").asLong()).isEqualTo(512);
    assertThat(details.get("relaxations").isEmpty()).isTrue();
  }

  private static JsonNode run(Api client, Tasks task) {
    Api.Response submitted = client.post("/api/v1/tasks", task.build());
    assertThat(submitted.status()).as(submitted.text()).isEqualTo(202);
    return client.awaitTask(
        submitted.json().get("id").asString(),
        t -> FINAL.contains(t.get("status").asString()),
        WAIT);
  }
}
