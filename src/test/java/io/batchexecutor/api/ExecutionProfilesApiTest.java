package io.batchexecutor.api;

import static io.batchexecutor.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import io.batchexecutor.task.TaskRepository;
import java.util.ArrayList;
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
 * Execution profiles as clients meet them: a client may use the profiles its configuration lists
 * (client "tester": local and gpu; client "intruder", with no entry of its own: the client
 * defaults, the backend's default profile only); a task takes its profile's AWS names, may repeat
 * them but not name others, and stays within the profile's maxima and base images.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.backend=local",
      "batch-executor.execution-profiles.gpu.max-gpus=2",
      "batch-executor.execution-profiles.gpu.max-vcpu=32",
      "batch-executor.execution-profiles.gpu.base-image=python:3.12-slim",
      "batch-executor.execution-profiles.gpu.allowed-base-images=python:3.12-*,"
          + "registry.example:5000/ml/*:*",
      "batch-executor.execution-profiles.gpu.awsbatch.batch-queue=gpu-queue",
      "batch-executor.execution-profiles.gpu.awsbatch.s3-bucket-name=gpu-results",
      "batch-executor.execution-profiles.gpu.awsbatch.batch-job-role-name="
          + "arn:aws:iam::123456789012:role/jobs/gpu-{client}",
      "batch-executor.execution-profiles.local.max-time-limit=3600",
      "batch-executor.clients.tester.execution-profiles=local,gpu"
    })
class ExecutionProfilesApiTest {

  @LocalServerPort int port;
  @Autowired TaskRepository tasks;
  Api tester;
  Api intruder;

  @BeforeEach
  void clients() {
    tester = new Api(port);
    intruder = new Api(port).as(Api.INTRUDER);
  }

  @Test
  void aTaskRunsWithTheNamesOfTheProfileItChoseItsJobRoleItsClients() {
    Api.Response accepted =
        tester.post(
            "/api/v1/tasks",
            Tasks.add().executor("execution_profile", "gpu").executor("num_gpus", 2).build());

    assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
    JsonNode executor = accepted.json().get("executor");
    assertThat(executor.get("execution_profile").asString()).isEqualTo("gpu");
    assertThat(executor.get("batch_queue").asString()).isEqualTo("gpu-queue");
    assertThat(executor.get("s3_bucket_name").asString()).isEqualTo("gpu-results");
    assertThat(executor.get("batch_job_role_name").asString())
        .isEqualTo("arn:aws:iam::123456789012:role/jobs/gpu-tester");
    assertThat(executor.get("num_gpus").asInt()).isEqualTo(2);
    assertThat(executor.get("ecr_repo_name").asString())
        .as("what the profile leaves unset is the top-level value")
        .isEqualTo("covalent-batch-job-images");
    UUID id = UUID.fromString(accepted.json().get("id").asString());
    assertThat(tasks.find(id).orElseThrow().spec().image().baseImage())
        .as("the profile's base image, decided at acceptance")
        .isEqualTo("python:3.12-slim");
  }

  @Test
  void withoutAProfileATaskRunsWithItsClientsFirst() {
    JsonNode executor = tester.post("/api/v1/tasks", Tasks.add().build()).json().get("executor");

    assertThat(executor.get("execution_profile").asString()).isEqualTo("local");
    assertThat(executor.get("batch_queue").asString()).isEqualTo("covalent-batch-queue");
  }

  @Test
  void aProfileTheClientMayNotUseIsRefusedNamingTheOnesItMay() {
    Api.Response refused =
        intruder.post("/api/v1/tasks", Tasks.add().executor("execution_profile", "gpu").build());

    assertProblem(refused, 400, "execution-profile-not-allowed");
    JsonNode error = refused.json().get("errors").get(0);
    assertThat(error.get("field").asString()).isEqualTo("executor.execution_profile");
    assertThat(error.get("message").asString()).contains("local");

    Api.Response unknown =
        tester.post("/api/v1/tasks", Tasks.add().executor("execution_profile", "nope").build());
    assertProblem(unknown, 400, "execution-profile-not-allowed");
    assertThat(unknown.json().get("errors").get(0).get("message").asString())
        .contains("local, gpu");
  }

  @Test
  void aWorkflowTaskWithAProfileItsClientMayNotUseIsRefusedNamingTheTask() {
    Api.Response refused =
        intruder.post(
            "/api/v1/workflows",
            Map.of("tasks", Map.of("a", Tasks.add().executor("execution_profile", "gpu").build())));

    assertProblem(refused, 400, "execution-profile-not-allowed");
    assertThat(refused.json().get("errors").get(0).get("field").asString())
        .isEqualTo("tasks.a.executor.execution_profile");
  }

  @Test
  void everyOperatorsNameOtherThanTheProfilesIsRefusedNamingTheKey() {
    for (Map.Entry<String, String> key :
        Map.of(
                "batch_job_role_name", "arn:aws:iam::999999999999:role/Admin",
                "batch_execution_role_name", "SomeoneElsesRole",
                "batch_queue", "another-teams-queue",
                "s3_bucket_name", "another-teams-bucket",
                "ecr_repo_name", "another-teams-repo",
                "batch_job_definition_name", "another-teams-jobs",
                "batch_job_log_group_name", "another-teams-logs")
            .entrySet()) {
      Api.Response refused =
          tester.post("/api/v1/tasks", Tasks.add().executor(key.getKey(), key.getValue()).build());

      assertProblem(refused, 400, "setting-not-allowed");
      JsonNode errors = refused.json().get("errors");
      assertThat(errors.size()).isEqualTo(1);
      assertThat(errors.get(0).get("field").asString()).isEqualTo("executor." + key.getKey());
      assertThat(errors.get(0).get("message").asString())
          .contains("operator")
          .doesNotContain("covalent-batch");
    }
  }

  @Test
  void theProfilesOwnValuesMayBeRepeatedRolesComparedAsRoles() {
    assertThat(
            tester
                .post(
                    "/api/v1/tasks",
                    Tasks.add()
                        .executor("batch_queue", "covalent-batch-queue")
                        .executor("batch_job_role_name", "CovalentBatchJobRole")
                        .build())
                .status())
        .isEqualTo(202);
    assertThat(
            tester
                .post(
                    "/api/v1/tasks",
                    Tasks.add()
                        .executor("execution_profile", "gpu")
                        .executor(
                            "batch_job_role_name", "arn:aws:iam::123456789012:role/jobs/gpu-tester")
                        .build())
                .status())
        .isEqualTo(202);

    Api.Response anotherClientsRole =
        tester.post(
            "/api/v1/tasks",
            Tasks.add()
                .executor("execution_profile", "gpu")
                .executor("batch_job_role_name", "arn:aws:iam::123456789012:role/jobs/gpu-intruder")
                .build());
    assertProblem(anotherClientsRole, 400, "setting-not-allowed");

    Api.Response byNameOnly =
        tester.post(
            "/api/v1/tasks",
            Tasks.add()
                .executor("execution_profile", "gpu")
                .executor("batch_job_role_name", "gpu-tester")
                .build());
    assertProblem(byNameOnly, 400, "setting-not-allowed");
  }

  @Test
  void resourcesAboveTheProfilesMaximaAreRefusedNamingTheLimitAndTheField() {
    Api.Response refused =
        tester.post(
            "/api/v1/tasks",
            Tasks.add()
                .executor("vcpu", 17)
                .executor("memory", 65)
                .executor("num_gpus", 1)
                .executor("time_limit", 3601)
                .build());

    assertProblem(refused, 400, "resource-above-maximum");
    List<String> fields = new ArrayList<>();
    List<String> messages = new ArrayList<>();
    refused
        .json()
        .get("errors")
        .forEach(
            e -> {
              fields.add(e.get("field").asString());
              messages.add(e.get("message").asString());
            });
    assertThat(fields)
        .containsExactlyInAnyOrder(
            "executor.vcpu", "executor.memory", "executor.num_gpus", "executor.time_limit");
    assertThat(String.join("\n", messages))
        .contains("at most 16 (max-vcpu of execution profile local)")
        .contains("at most 64 GB (max-memory")
        .contains("at most 0 (max-gpus")
        .contains("at most 3600 s (max-time-limit");

    assertThat(
            tester
                .post(
                    "/api/v1/tasks",
                    Tasks.add()
                        .executor("execution_profile", "gpu")
                        .executor("vcpu", 32)
                        .executor("time_limit", 86_400)
                        .build())
                .status())
        .as("another profile, other maxima")
        .isEqualTo(202);
  }

  @Test
  void aBaseImageOutsideTheProfilesAllowListIsRefusedListingWhatIsAllowed() {
    Api.Response refused =
        tester.post(
            "/api/v1/tasks",
            Tasks.add()
                .executor("execution_profile", "gpu")
                .set("image", Map.of("base_image", "python:3.11-slim"))
                .build());

    assertProblem(refused, 400, "base-image-not-allowed");
    JsonNode error = refused.json().get("errors").get(0);
    assertThat(error.get("field").asString()).isEqualTo("image.base_image");
    assertThat(error.get("message").asString())
        .contains("docker.io/library/python:3.12-slim")
        .contains("docker.io/library/python:3.12-*")
        .contains("registry.example:5000/ml/*:*");

    for (String allowed :
        List.of(
            "python:3.12-slim",
            "docker.io/library/python:3.12-bookworm",
            "registry.example:5000/ml/torch:2")) {
      Api.Response accepted =
          tester.post(
              "/api/v1/tasks",
              Tasks.add()
                  .executor("execution_profile", "gpu")
                  .set("image", Map.of("base_image", allowed))
                  .build());
      assertThat(accepted.status()).as(allowed + ": " + accepted.text()).isEqualTo(202);
    }
  }

  @Test
  void problemsOfSeveralKindsAreOneInvalidRequestNamingEveryField() {
    Api.Response refused =
        tester.post(
            "/api/v1/tasks",
            Tasks.add()
                .executor("batch_queue", "another-teams-queue")
                .set("image", Map.of("base_image", "python:3.12-slim"))
                .build());

    assertProblem(refused, 400, "invalid-request");
    List<String> fields = new ArrayList<>();
    refused.json().get("errors").forEach(e -> fields.add(e.get("field").asString()));
    assertThat(fields).containsExactlyInAnyOrder("executor.batch_queue", "image.base_image");
  }

  @Test
  void executorShowsEachClientOnlyTheProfilesItMayUse() {
    JsonNode mine = tester.get("/api/v1/executor").json();
    assertThat(mine.get("default_execution_profile").asString()).isEqualTo("local");
    assertThat(mine.get("execution_profiles").size()).isEqualTo(2);
    JsonNode gpu = mine.get("execution_profiles").get(1);
    assertThat(gpu.get("name").asString()).isEqualTo("gpu");
    assertThat(gpu.get("max_gpus").asInt()).isEqualTo(2);
    assertThat(gpu.get("max_vcpu").asDouble()).isEqualTo(32.0);
    assertThat(gpu.get("base_image").asString()).isEqualTo("python:3.12-slim");
    assertThat(mine.toString()).doesNotContain("gpu-queue", "gpu-results", "123456789012");

    JsonNode theirs = intruder.get("/api/v1/executor").json();
    assertThat(theirs.get("client").asString()).isEqualTo("intruder");
    assertThat(theirs.get("execution_profiles").size()).isEqualTo(1);
    assertThat(theirs.get("execution_profiles").get(0).get("name").asString()).isEqualTo("local");
    assertThat(theirs.toString()).doesNotContain("\"gpu\"", "gpu-queue", "3.12");
  }
}
