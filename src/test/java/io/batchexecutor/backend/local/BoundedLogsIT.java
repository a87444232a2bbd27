package io.batchexecutor.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A task that prints far more than {@code max-log-size}: its result is right (it never depended on
 * the output), its stored log keeps the head, the tail and a line telling how much was dropped
 * within the bound, the service's memory does not grow with the output, and {@code ?tail=} answers
 * exactly the last lines.
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
  static final long HEAP_BOUND = 64L * 1024 * 1024;

  @LocalServerPort int port;
  @Autowired DockerClient docker;
  Api api;

  @BeforeEach
  void engine() {
    DockerAvailable.assume(docker);
    api = new Api(port);
  }

  @Test
  void anOutputFarOverTheBoundIsKeptAsItsHeadAndTailAndTheResultIsRight() {
    long heapBefore = heapAfterGc();
    String id =
        api.post(
                "/api/v1/tasks",
                Tasks.function(
                        "def task():\n"
                            + "    import sys\n"
                            + "    print('the first line', flush=True)\n"
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
    long heapAfter = heapAfterGc();
    LoggerFactory.getLogger(BoundedLogsIT.class)
        .info(
            "{} MiB printed; heap after GC {} MiB before, {} MiB after",
            MEGABYTES,
            heapBefore >> 20,
            heapAfter >> 20);

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
    assertThat(heapAfter - heapBefore)
        .as("the heap after the task, less before (%d MiB printed)", MEGABYTES)
        .isLessThan(HEAP_BOUND);

    Api.Response tail = api.get("/api/v1/tasks/" + id + "/logs?tail=100");
    assertThat(tail.status()).isEqualTo(200);
    List<String> lines = tail.text().lines().toList();
    assertThat(lines).hasSize(100);
    assertThat(lines.get(0)).isEqualTo("tail line 100");
    assertThat(lines.get(99)).isEqualTo("tail line 199");
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

  private static long heapAfterGc() {
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
