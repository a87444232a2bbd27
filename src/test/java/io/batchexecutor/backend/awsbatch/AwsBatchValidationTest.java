package io.batchexecutor.backend.awsbatch;

import static io.batchexecutor.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/** On AWS Batch, values Batch would refuse are refused at submission, before anything is built. */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.backend=awsbatch",
      "batch-executor.awsbatch.region=us-east-1",
      "batch-executor.awsbatch.endpoint=http://127.0.0.1:9"
    })
class AwsBatchValidationTest {

  @LocalServerPort int port;

  @Test
  void aTimeLimitUnderAMinuteIsRefused() {
    Api api = new Api(port);

    Api.Response refused =
        api.post("/api/v1/tasks", Tasks.add().executor("time_limit", 30).build());

    assertProblem(refused, 400, "invalid-request");
    assertThat(refused.json().get("errors").get(0).get("field").asString())
        .isEqualTo("executor.time_limit");
    assertThat(refused.json().get("detail").asString()).contains("at least 60 s on AWS Batch");
    assertThat(api.post("/api/v1/tasks", Tasks.add().executor("time_limit", 60).build()).status())
        .isEqualTo(202);
  }

  @Test
  void aDependantWaitsForItsDependenciesWhateverTheirNumber() {
    java.util.Map<String, Object> tasks = new java.util.LinkedHashMap<>();
    java.util.List<Object> all = new java.util.ArrayList<>();
    for (int i = 0; i < 21; i++) {
      tasks.put("t" + i, Tasks.function("def f(*a):\n    return 1\n", "f").build());
      all.add(java.util.Map.of("$task", "t" + i));
    }
    tasks.put(
        "few",
        Tasks.function("def f(*a):\n    return 1\n", "f").set("args", all.subList(0, 20)).build());
    tasks.put("many", Tasks.function("def f(*a):\n    return 1\n", "f").set("args", all).build());

    JsonNode workflow =
        new Api(port)
            .post("/api/v1/workflows", java.util.Map.of("name", "wide", "tasks", tasks))
            .json()
            .get("tasks");

    assertThat(workflow.get("few").get("status").asString())
        .as("queued once its dependencies' results, and their digests, are there")
        .isEqualTo("WAITING");
    assertThat(workflow.get("few").get("status_reason").asString()).startsWith("waiting for t0");
    assertThat(workflow.get("many").get("status").asString()).isEqualTo("WAITING");
    assertThat(workflow.get("t0").get("status").asString()).isEqualTo("QUEUED");
  }

  @Test
  void aFanInWiderThanSubmitJobCarriesIsRefusedWhenPosted() {
    java.util.Map<String, Object> tasks = new java.util.LinkedHashMap<>();
    java.util.List<Object> all = new java.util.ArrayList<>();
    for (int i = 0; i < 130; i++) {
      tasks.put("t" + i, Tasks.function("def f(*a):\n    return 1\n", "f").build());
      all.add(java.util.Map.of("$task", "t" + i));
    }
    tasks.put(
        "fits",
        Tasks.function("def f(*a):\n    return 1\n", "f").set("args", all.subList(0, 60)).build());
    tasks.put("wide", Tasks.function("def f(*a):\n    return 1\n", "f").set("args", all).build());

    Api.Response refused =
        new Api(port).post("/api/v1/workflows", java.util.Map.of("name", "wide", "tasks", tasks));

    assertProblem(refused, 400, "invalid-request");
    assertThat(refused.json().get("errors").size()).isEqualTo(1);
    assertThat(refused.json().get("errors").get(0).get("field").asString()).isEqualTo("tasks.wide");
    assertThat(refused.json().get("errors").get(0).get("message").asString())
        .contains("takes the results of 130 tasks")
        .contains("30 KiB");

    tasks.remove("wide");
    java.util.List<String> keys = new java.util.ArrayList<>();
    for (int i = 0; i < 130; i++) {
      keys.add("t" + i);
    }
    // what a task only waits for does not travel in its SubmitJob
    tasks.put(
        "waits", Tasks.function("def f(*a):\n    return 1\n", "f").set("after", keys).build());
    assertThat(
            new Api(port)
                .post("/api/v1/workflows", java.util.Map.of("name", "fits", "tasks", tasks))
                .status())
        .isEqualTo(202);
  }

  @Test
  void theExecutorEndpointNamesTheBackend() {
    assertThat(new Api(port).get("/api/v1/executor").json().get("backend").asString())
        .isEqualTo("awsbatch");
  }
}
