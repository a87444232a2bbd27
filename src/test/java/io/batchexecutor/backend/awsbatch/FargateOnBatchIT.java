package io.batchexecutor.backend.awsbatch;

import static io.batchexecutor.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import io.batchexecutor.support.aws.TestAwsEndpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * One service, two execution profiles: {@code awsbatch} on an EC2 queue and {@code fargate} on a
 * Fargate queue of the tests' AWS endpoint, which refuses, as AWS does, a definition that is not
 * for its queue's platform and a size that is not a Fargate size. A task runs on each; sizes that
 * Fargate does not have are refused when asked for and rounded up when they are the defaults; jobs
 * carry their tags.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.backend=awsbatch",
      "batch-executor.image.base-image=${BATCH_EXECUTOR_TEST_BASE_IMAGE:local/python:3}",
      "batch-executor.awsbatch.region=us-east-1",
      "batch-executor.awsbatch.s3-path-style=true",
      "batch-executor.awsbatch.s3-bucket-name=" + FargateOnBatchIT.BUCKET,
      "batch-executor.awsbatch.batch-queue=ec2-queue",
      "batch-executor.awsbatch.poll-freq=1",
      "batch-executor.awsbatch.time-limit=120",
      "batch-executor.execution-profiles.fargate.awsbatch.batch-queue=fargate-queue",
      "batch-executor.execution-profiles.fargate.awsbatch.batch-job-definition-name=fargate-jobs",
      "batch-executor.execution-profiles.fargate.awsbatch.tags[cost-center]=ml-42",
      "batch-executor.client-defaults.execution-profiles=awsbatch,fargate"
    })
class FargateOnBatchIT {

  static final String BUCKET = "batch-executor-fargate";

  @RegisterExtension
  static final TestAwsEndpoint AWS =
      TestAwsEndpoint.withBucket(BUCKET).arranged(aws -> aws.fargateQueue("fargate-queue"));

  @LocalServerPort int port;

  @DynamicPropertySource
  static void endpoint(DynamicPropertyRegistry registry) {
    AWS.register(registry);
  }

  @Test
  void aTaskRunsOnTheFargateProfileAndOneOnTheEc2ProfileOfOneService() {
    Api api = new Api(port);
    String onFargate = accepted(api, Tasks.add().executor("execution_profile", "fargate").build());
    String onEc2 = accepted(api, Tasks.add().executor("vcpu", 3).build());

    JsonNode fargateTask = api.awaitEnd(onFargate, Duration.ofMinutes(3));
    JsonNode ec2Task = api.awaitEnd(onEc2, Duration.ofMinutes(3));

    assertThat(fargateTask.path("status").asString())
        .as(fargateTask.toString())
        .isEqualTo("SUCCEEDED");
    assertThat(ec2Task.path("status").asString()).as(ec2Task.toString()).isEqualTo("SUCCEEDED");
    JsonNode fargateDefinition = AWS.fake().definitions("fargate-jobs").get(0);
    assertThat(fargateDefinition.path("platformCapabilities").path(0).asString())
        .isEqualTo("FARGATE");
    assertThat(fargateDefinition.path("containerProperties").has("networkConfiguration")).isTrue();
    assertThat(AWS.fake().definitions("covalent-batch-jobs").get(0).has("platformCapabilities"))
        .as("an EC2 definition names no platform")
        .isFalse();

    JsonNode fargateJob = submittedFor(onFargate);
    assertThat(overrides(fargateJob))
        .as("the defaults, 2 vCPU with 3.75 GB, rounded up to a Fargate size")
        .containsExactly("VCPU=2", "MEMORY=4096");
    assertThat(overrides(submittedFor(onEc2))).containsExactly("VCPU=3", "MEMORY=3840");
    JsonNode events = api.get("/api/v1/tasks/" + onFargate + "/events").json();
    List<String> sizes = new ArrayList<>();
    events.forEach(
        e -> {
          if ("FARGATE_SIZE".equals(e.path("kind").asString())) {
            sizes.add(e.path("reason").asString());
          }
        });
    assertThat(sizes).singleElement().asString().contains("2 vCPU with 4096 MiB");

    assertThat(fargateJob.path("propagateTags").asBoolean()).isTrue();
    JsonNode tags = fargateJob.path("tags");
    assertThat(tags.path("batch-executor:task-id").asString()).isEqualTo(onFargate);
    assertThat(tags.path("batch-executor:client").asString()).isNotEmpty();
    assertThat(tags.path("batch-executor:execution-profile").asString()).isEqualTo("fargate");
    assertThat(tags.path("cost-center").asString()).isEqualTo("ml-42");
  }

  @Test
  void aFargateRequestForThreeVcpusIsRefusedNamingVcpuAndTheValidValues() {
    Api.Response refused =
        new Api(port)
            .post(
                "/api/v1/tasks",
                Tasks.add().executor("execution_profile", "fargate").executor("vcpu", 3).build());

    assertProblem(refused, 400, "not-on-platform");
    JsonNode error = refused.json().get("errors").get(0);
    assertThat(error.get("field").asString()).isEqualTo("executor.vcpu");
    assertThat(error.get("message").asString())
        .contains("0.25, 0.5, 1, 2, 4, 8, 16")
        .contains("4 vCPU with 8192 MiB");
  }

  @Test
  void anEc2RequestForHalfAVcpuIsRefusedNamingVcpu() {
    Api.Response refused =
        new Api(port)
            .post(
                "/api/v1/tasks",
                Tasks.add()
                    .executor("execution_profile", "awsbatch")
                    .executor("vcpu", 0.5)
                    .build());

    assertProblem(refused, 400, "not-on-platform");
    JsonNode error = refused.json().get("errors").get(0);
    assertThat(error.get("field").asString()).isEqualTo("executor.vcpu");
    assertThat(error.get("message").asString())
        .contains("whole number of vCPUs on EC2")
        .contains("nearest valid value is 1");
  }

  private static String accepted(Api api, Object body) {
    Api.Response response = api.post("/api/v1/tasks", body);
    assertThat(response.status()).as(response.text()).isEqualTo(202);
    return response.json().get("id").asString();
  }

  private static JsonNode submittedFor(String taskId) {
    return AWS.fake().submitted().stream()
        .filter(j -> j.path("jobName").asString().equals("batch-executor-" + taskId))
        .findFirst()
        .orElseThrow();
  }

  private static List<String> overrides(JsonNode job) {
    List<String> found = new ArrayList<>();
    job.path("containerOverrides")
        .path("resourceRequirements")
        .forEach(r -> found.add(r.path("type").asString() + "=" + r.path("value").asString()));
    return found;
  }
}
