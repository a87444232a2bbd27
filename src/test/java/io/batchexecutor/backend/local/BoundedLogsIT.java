package io.batchexecutor.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.ScratchCacheDir;
import io.batchexecutor.support.ServiceProcess;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A task that prints far more than {@code max-log-size} — eight times the heap of the packaged
 * service that runs it, started with {@code -Xmx64m} — ends with its result right (it never
 * depended on the output), its stored log keeping the head, the tail and a line telling how much
 * was dropped within the bound, and {@code ?tail=} answering exactly the last lines; the service,
 * whose heap cannot pass 64 MiB, stays up and says nothing of running out of memory.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.backend=local",
      "batch-executor.image.base-image=${BATCH_EXECUTOR_TEST_BASE_IMAGE:local/python:3}",
      "batch-executor.local.max-log-size=2MB"
    })
class BoundedLogsIT {

  static final Duration WAIT = Duration.ofSeconds(120);
  static final long CAP = 2L * 1024 * 1024;
  static final int MEGABYTES = 512;

  /** The packaged service's heap: the task prints eight times as much. */
  static final int HEAP_MIB = MEGABYTES / 8;

  @LocalServerPort int port;
  @Autowired DockerClient docker;
  Api api;

  @BeforeEach
  void engine() {
    DockerAvailable.assume(docker);
    api = new Api(port);
  }

  @Test
  void anOutputOfEightTimesTheServicesHeapIsKeptAsItsHeadAndTailAndTheResultIsRight()
      throws Exception {
    Path cacheDir = ScratchCacheDir.create("bounded-logs");
    Path log = cacheDir.resolve("service.log");
    try (ServiceProcess service =
        ServiceProcess.start(
            List.of("-Xmx" + HEAP_MIB + "m"),
            cacheDir,
            log,
            java.util.Map.of(),
            "batch-executor.backend=local",
            "batch-executor.image.base-image=" + DockerAvailable.BASE_IMAGE,
            "batch-executor.local.max-log-size=2MB")) {
      printsFarMoreThanItsBound(service.api());
      assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
    } finally {
      ScratchCacheDir.remove(cacheDir);
    }
  }

  private void printsFarMoreThanItsBound(Api api) {
    String id =
        api.post(
                "/api/v1/tasks",
                Tasks.function(
                        "def task():\n"
                            + "    import sys\n"
                            + "    print('the first line', flush=True)\n"
                            // the head is kept from when the service follows the output, a moment
                            // after the start; a flood from the very first instant outruns that
                            + "    import time; time.sleep(1)\n"
                            + "    block = (b'y' * 8191 + b'\\n') * 128\n" // 1 MiB
                            + "    for _ in range("
                            + MEGABYTES
                            + "):\n"
                            + "        sys.stdout.buffer.write(block)\n"
                            + "    sys.stdout.buffer.flush()\n"
                            + "    for i in range(200):\n"
                            + "        print('tail line %d' % i)\n"
                            + "    return 42\n",
                        "task")
                    .build())
            .json()
            .get("id")
            .asString();
    JsonNode task = api.awaitEnd(id, WAIT);

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    assertThat(api.get("/api/v1/tasks/" + id + "/result").json().asInt()).isEqualTo(42);

    Api.Response logs = api.get("/api/v1/tasks/" + id + "/logs");
    assertThat(logs.status()).isEqualTo(200);
    String text = logs.text();
    long stored = text.getBytes(StandardCharsets.UTF_8).length;
    byte[] line = BoundedLog.droppedLine(MEGABYTES * 1024L * 1024, CAP / 2, true);
    assertThat(stored).as("within the bound and its line").isLessThanOrEqualTo(CAP + line.length);
    assertThat(text).startsWith("the first line\n").endsWith("tail line 199\n");
    assertThat(text)
        .containsPattern(
            "\n\\[batch-executor: at least \\d+ bytes of output dropped here; the log keeps the first and"
                + " last "
                + CAP / 2
                + " bytes — batch-executor.local.max-log-size]\n");
    long dropped =
        Long.parseLong(
            text.replaceAll("(?s).*\\[batch-executor: at least (\\d+) bytes.*", "$1").strip());
    assertThat(dropped)
        .as(
            "at most what was printed less what was kept; less when the engine rotated its log"
                + " faster than it was read")
        .isPositive()
        .isLessThanOrEqualTo(MEGABYTES * 1024L * 1024 + 200 * 20 - CAP);
    Api.Response tail = api.get("/api/v1/tasks/" + id + "/logs?tail=100");
    assertThat(tail.status()).isEqualTo(200);
    List<String> lines = tail.text().lines().toList();
    assertThat(lines).hasSize(100);
    assertThat(lines.get(0)).isEqualTo("tail line 100");
    assertThat(lines.get(99)).isEqualTo("tail line 199");
  }

  @Test
  void stdoutAndStderrAreServedApartEachBoundedAndTheWholeOutputKeepsBoth() {
    String id =
        api.post(
                "/api/v1/tasks",
                Tasks.function(
                        "def task():\n"
                            + "    import sys\n"
                            + "    print('out first', flush=True)\n"
                            + "    print('err only', file=sys.stderr, flush=True)\n"
                            // the whole output's head is kept from when the service follows it, a
                            // moment after the start (docs/api.md): the flood waits for that
                            + "    import time; time.sleep(1)\n"
                            + "    for i in range(3 * 1024):\n" // 3 MiB over a bound of 2 MiB
                            + "        sys.stdout.write('x' * 1023 + '\\n')\n"
                            + "    print('out last')\n"
                            + "    return 7\n",
                        "task")
                    .build())
            .json()
            .get("id")
            .asString();
    JsonNode task = api.awaitEnd(id, WAIT);
    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");

    String stdout = api.get("/api/v1/tasks/" + id + "/logs?stream=stdout").text();
    assertThat(stdout).startsWith("out first\n").endsWith("out last\n").doesNotContain("err only");
    assertThat(stdout).containsPattern("\n\\[batch-executor: \\d+ bytes dropped here; this stream");
    assertThat((long) stdout.getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(CAP + 200);
    assertThat(api.get("/api/v1/tasks/" + id + "/logs?stream=stderr").text())
        .isEqualTo("err only\n");
    assertThat(api.get("/api/v1/tasks/" + id + "/logs?stream=stdout&tail=1").text())
        .isEqualTo("out last\n");
    assertThat(api.get("/api/v1/tasks/" + id + "/logs").text())
        .contains("out first\n")
        .contains("err only\n")
        .endsWith("out last\n");
    assertThat(api.get("/api/v1/tasks/" + id + "/logs?stream=both").status()).isEqualTo(400);
    assertThat(api.get("/api/v1/tasks/" + id + "/logs?stream=stdout&follow=true").status())
        .isEqualTo(400);
  }

  @Test
  void aRaisingTasksStderrHasItsTraceback() {
    String id =
        api.post(
                "/api/v1/tasks",
                Tasks.function(
                        "def task():\n"
                            + "    print('before')\n"
                            + "    raise ValueError('no good')\n",
                        "task")
                    .build())
            .json()
            .get("id")
            .asString();
    JsonNode task = api.awaitEnd(id, WAIT);
    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("FAILED");
    assertThat(api.get("/api/v1/tasks/" + id + "/logs?stream=stdout").text()).isEqualTo("before\n");
    assertThat(api.get("/api/v1/tasks/" + id + "/logs?stream=stderr").text())
        .contains("Traceback")
        .contains("ValueError: no good");
  }

  @Test
  void aTailOverTheLimitIsRefused() {
    String id =
        api.post("/api/v1/tasks", Tasks.add().set("args", List.of(1, 2)).build())
            .json()
            .get("id")
            .asString();
    assertThat(api.get("/api/v1/tasks/" + id + "/logs?tail=10001").status()).isEqualTo(400);
    assertThat(api.get("/api/v1/tasks/" + id + "/logs?tail=-1").status()).isEqualTo(400);
    assertThat(api.get("/api/v1/tasks/" + id + "/logs?tail=5&follow=true").status()).isEqualTo(400);
    api.awaitEnd(id, WAIT);
    Api.Response tail = api.get("/api/v1/tasks/" + id + "/logs?tail=0");
    assertThat(tail.status()).isEqualTo(200);
    assertThat(tail.text()).isEmpty();
  }
}
