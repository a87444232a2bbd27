package io.batchexecutor.api;

import static io.batchexecutor.support.ProblemAssert.assertProblem;
import static io.batchexecutor.workflow.Workflows.ref;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import io.batchexecutor.workflow.Workflows;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * A deployment running local and awsbatch: a task's backend comes from its execution profile or
 * from executor.backend (that backend's default profile); a backend the deployment does not run, or
 * one its profile contradicts, is refused; what a backend refuses (a time limit below AWS Batch's
 * minute) is asked of that backend only; a workflow mixes backends task by task.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.backends=local,awsbatch",
      "batch-executor.awsbatch.endpoint=http://127.0.0.1:9",
      "batch-executor.awsbatch.region=us-east-1",
      "batch-executor.execution-profiles.gpu.backend=awsbatch",
      "batch-executor.execution-profiles.gpu.awsbatch.batch-queue=gpu-queue",
      "batch-executor.execution-profiles.big.max-vcpu=32",
      "batch-executor.clients.tester.execution-profiles=*"
    })
class BackendChoiceApiTest {

  @LocalServerPort int port;
  Api api;

  @BeforeEach
  void client() {
    api = new Api(port);
  }

  @Test
  void theExecutorShowsTheBackendsAndTheProfileEachGives() {
    JsonNode executor = api.get("/api/v1/executor").json();

    assertThat(executor.get("backend").asString()).isEqualTo("local");
    assertThat(executor.get("backends").toString())
        .isEqualTo(
            "[{\"name\":\"local\",\"default_execution_profile\":\"local\"},"
                + "{\"name\":\"awsbatch\",\"default_execution_profile\":\"awsbatch\"}]");
    assertThat(executor.get("execution_profiles").valueStream().map(p -> p.get("backend")))
        .extracting(JsonNode::asString)
        .contains("local", "awsbatch");
  }

  @Test
  void aTaskNamingNoBackendRunsOnTheDefault() {
    Api.Response accepted = api.post("/api/v1/tasks", Tasks.add().build());

    assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
    assertThat(accepted.json().get("executor").get("backend").asString()).isEqualTo("local");
    assertThat(accepted.json().get("executor").get("execution_profile").asString())
        .isEqualTo("local");
  }

  @Test
  void aBackendMeansItsDefaultProfileAndAProfileItsBackend() {
    Api.Response batch =
        api.post("/api/v1/tasks", Tasks.add().executor("backend", "awsbatch").build());
    Api.Response gpu =
        api.post("/api/v1/tasks", Tasks.add().executor("execution_profile", "gpu").build());
    Api.Response both =
        api.post(
            "/api/v1/tasks",
            Tasks.add().executor("execution_profile", "big").executor("backend", "local").build());

    assertThat(batch.status()).as(batch.text()).isEqualTo(202);
    assertThat(batch.json().get("executor").get("execution_profile").asString())
        .isEqualTo("awsbatch");
    assertThat(gpu.status()).as(gpu.text()).isEqualTo(202);
    assertThat(gpu.json().get("executor").get("backend").asString()).isEqualTo("awsbatch");
    assertThat(both.status()).as(both.text()).isEqualTo(202);
    assertThat(both.json().get("executor").get("backend").asString()).isEqualTo("local");
  }

  @Test
  void aProfileContradictingTheBackendIsRefused() {
    Api.Response refused =
        api.post(
            "/api/v1/tasks",
            Tasks.add().executor("execution_profile", "gpu").executor("backend", "local").build());

    assertProblem(refused, 400, "backend-profile-mismatch");
    assertThat(refused.text()).contains("executor.backend", "gpu runs on awsbatch");
  }

  @Test
  void aBackendTheDeploymentDoesNotRunIsRefusedNamingThoseItDoes() {
    Api.Response refused =
        api.post("/api/v1/tasks", Tasks.add().executor("backend", "none").build());

    assertProblem(refused, 400, "backend-not-available");
    assertThat(refused.text()).contains("local, awsbatch", "(not none)");
  }

  @Test
  void aTimeLimitBelowAMinuteIsRefusedOnAwsBatchOnly() {
    Api.Response local = api.post("/api/v1/tasks", Tasks.add().executor("time_limit", 10).build());
    Api.Response batch =
        api.post(
            "/api/v1/tasks",
            Tasks.add().executor("backend", "awsbatch").executor("time_limit", 10).build());

    assertThat(local.status()).as(local.text()).isEqualTo(202);
    assertProblem(batch, 400, "invalid-request");
    assertThat(batch.text()).contains("executor.time_limit", "AWS Batch");
  }

  @Test
  void aWorkflowMixesBackendsTaskByTask() {
    Api.Response accepted =
        api.post(
            "/api/v1/workflows",
            Workflows.named("mixed")
                .task("a", Tasks.add().build())
                .task(
                    "b",
                    Tasks.function("def f(x):\n    return x\n", "f")
                        .set("args", List.of(ref("a")))
                        .executor("backend", "awsbatch")
                        .build())
                .build());

    assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
    JsonNode tasks = accepted.json().get("tasks");
    assertThat(backendOf(tasks.get("a"))).isEqualTo("local");
    assertThat(backendOf(tasks.get("b"))).isEqualTo("awsbatch");
  }

  private String backendOf(JsonNode summary) {
    return api.get("/api/v1/tasks/" + summary.get("id").asString())
        .json()
        .get("executor")
        .get("backend")
        .asString();
  }
}
