package io.batchexecutor.workflow;

import static io.batchexecutor.workflow.Workflows.ref;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.ServiceTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A re-run on the local backend with the real engine: what succeeded and did not change is reused
 * without a container; the task whose argument was replaced and what is below it run.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.backend=local",
      "batch-executor.image.base-image=${BATCH_EXECUTOR_TEST_BASE_IMAGE:local/python:3}"
    })
class WorkflowRerunIT {

  static final String STEP = "def step(x):\n    return x + 1\n";
  static final String CHECKED =
      "def checked(x, broken):\n"
          + "    if broken:\n"
          + "        raise ValueError('broken input')\n"
          + "    return x + 1\n";

  @LocalServerPort int port;
  Api api;

  @BeforeEach
  void engine() {
    DockerAvailable.assume(DockerAvailable.client());
    api = new Api(port);
  }

  @Test
  void aChainWhoseFifthTaskFailedRunsOnlyItsLastTwoTasksAgainWithTheArgumentReplaced() {
    Api.Response submitted =
        api.post(
            "/api/v1/workflows",
            Workflows.named("six")
                .task("t1", STEP, "step", List.of(0))
                .task("t2", STEP, "step", List.of(ref("t1")))
                .task("t3", STEP, "step", List.of(ref("t2")))
                .task("t4", STEP, "step", List.of(ref("t3")))
                .task("t5", CHECKED, "checked", List.of(ref("t4"), true))
                .task("t6", STEP, "step", List.of(ref("t5")))
                .build());
    assertThat(submitted.status()).as(submitted.text()).isEqualTo(202);
    String firstId = submitted.json().get("id").asString();
    JsonNode first = ended(firstId);
    assertThat(first.get("status").asString()).as(first.toString()).isEqualTo("FAILED");
    assertThat(first.get("task_counts").toString())
        .isEqualTo("{\"SUCCEEDED\":4,\"FAILED\":1,\"CANCELLED\":1}");

    Api.Response rerun =
        api.post(
            "/api/v1/workflows/" + firstId + "/rerun",
            Map.of("tasks", Map.of("t5", Map.of("args", List.of(ref("t4"), false)))));

    assertThat(rerun.status()).as(rerun.text()).isEqualTo(202);
    String secondId = rerun.json().get("id").asString();
    JsonNode second = ended(secondId);
    assertThat(second.get("status").asString()).as(second.toString()).isEqualTo("SUCCEEDED");
    assertThat(second.get("outputs").get("t6").asInt()).isEqualTo(6);
    assertThat(second.get("rerun_of").asString()).isEqualTo(firstId);
    for (String key : List.of("t1", "t2", "t3", "t4")) {
      JsonNode task = task(second, key);
      assertThat(task.get("container_id").isNull()).as(key + " started no container").isTrue();
      assertThat(task.get("batch_job_id").isNull()).as(key + " submitted no job").isTrue();
      assertThat(kinds(second, key)).as(key).containsExactly("STATUS", "REUSED");
      assertThat(second.get("tasks").get(key).get("reused_from").asString())
          .isEqualTo(first.get("tasks").get(key).get("id").asString());
    }
    for (String key : List.of("t5", "t6")) {
      assertThat(task(second, key).get("container_id").isString()).as(key + " ran").isTrue();
      assertThat(kinds(second, key)).as(key).contains("ATTEMPT");
      assertThat(second.get("tasks").get(key).get("reused_from").isNull()).isTrue();
    }
    JsonNode firstAfter = api.get("/api/v1/workflows/" + firstId).json();
    assertThat(firstAfter.get("status").asString()).as("the first run stays").isEqualTo("FAILED");
    assertThat(firstAfter.get("task_counts")).isEqualTo(first.get("task_counts"));
    assertThat(firstAfter.get("reruns").get(0).asString()).isEqualTo(secondId);

    assertThat(api.delete("/api/v1/workflows/" + firstId).status()).isEqualTo(204);

    JsonNode kept = api.get("/api/v1/workflows/" + secondId).json();
    assertThat(kept.get("outputs").get("t6").asInt()).isEqualTo(6);
    for (String key : List.of("t1", "t2", "t3", "t4")) {
      String id = second.get("tasks").get(key).get("id").asString();
      Api.Response result = api.get("/api/v1/tasks/" + id + "/result");
      assertThat(result.status()).as(key + ": " + result.text()).isEqualTo(200);
      assertThat(result.json().asInt()).isEqualTo(Integer.parseInt(key.substring(1)));
    }
  }

  private JsonNode ended(String id) {
    return api.awaitWorkflow(
        id, w -> !"RUNNING".equals(w.get("status").asString()), Duration.ofSeconds(240));
  }

  private JsonNode task(JsonNode workflow, String key) {
    return api.get("/api/v1/tasks/" + workflow.get("tasks").get(key).get("id").asString()).json();
  }

  private List<String> kinds(JsonNode workflow, String key) {
    String id = workflow.get("tasks").get(key).get("id").asString();
    return api.get("/api/v1/tasks/" + id + "/events")
        .json()
        .valueStream()
        .map(e -> e.get("kind").asString())
        .toList();
  }
}
