package io.batchexecutor.backend.local;

import static io.batchexecutor.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * On the local engine a task's container gets the variables of its {@code executor.environment},
 * which its response shows back; secrets are refused, the local backend gives none.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.backend=local",
      "batch-executor.image.base-image=${BATCH_EXECUTOR_TEST_BASE_IMAGE:local/python:3}"
    })
class TaskEnvironmentIT {

  @LocalServerPort int port;
  @Autowired DockerClient docker;
  Api api;

  @BeforeEach
  void engine() {
    DockerAvailable.assume(docker);
    api = new Api(port);
  }

  @Test
  void aTaskReadsItsEnvironmentVariables() {
    String greeting = "hello " + UUID.randomUUID();
    Api.Response accepted =
        api.post(
            "/api/v1/tasks",
            Tasks.function(
                    "import os\ndef f():\n"
                        + "    return [os.environ.get('GREETING'), os.environ.get('MODE_2')]\n",
                    "f")
                .executor("environment", Map.of("GREETING", greeting, "MODE_2", "fast"))
                .build());
    assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
    String id = accepted.json().get("id").asString();

    JsonNode task = api.awaitEnd(id, Duration.ofMinutes(2));

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    assertThat(task.get("executor").get("environment").get("GREETING").asString())
        .as("not a secret: shown back")
        .isEqualTo(greeting);
    JsonNode result = api.get("/api/v1/tasks/" + id + "/result").json();
    assertThat(result.get(0).asString()).isEqualTo(greeting);
    assertThat(result.get(1).asString()).isEqualTo("fast");
  }

  @Test
  void aWorkflowTaskGetsItsOwnEnvironment() {
    Map<String, Object> tasks =
        Map.of(
            "a",
            Tasks.function("import os\ndef f():\n    return os.environ.get('WHO', 'nobody')\n", "f")
                .executor("environment", Map.of("WHO", "a"))
                .build(),
            "b",
            Tasks.function("import os\ndef f():\n    return os.environ.get('WHO', 'nobody')\n", "f")
                .build());
    Api.Response accepted = api.post("/api/v1/workflows", Map.of("name", "env", "tasks", tasks));
    assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
    JsonNode ids = accepted.json().get("tasks");

    for (Map.Entry<String, String> expected : Map.of("a", "a", "b", "nobody").entrySet()) {
      String id = ids.get(expected.getKey()).get("id").asString();
      JsonNode task = api.awaitEnd(id, Duration.ofMinutes(2));
      assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
      assertThat(api.get("/api/v1/tasks/" + id + "/result").json().asString())
          .isEqualTo(expected.getValue());
    }
  }

  @Test
  void secretsAreRefusedOnTheLocalBackendNamingTheSetting() {
    Api.Response refused =
        api.post("/api/v1/tasks", Tasks.add().executor("secrets", List.of("DB_PASSWORD")).build());

    assertProblem(refused, 400, "secret-not-allowed");
    JsonNode error = refused.json().get("errors").get(0);
    assertThat(error.get("field").asString()).isEqualTo("executor.secrets");
    assertThat(error.get("message").asString()).contains("awsbatch.secrets");
  }
}
