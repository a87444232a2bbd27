package io.batchexecutor.backend.awsbatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The whole AWS Batch flow — build, push to ECR, register, submit, poll, result from S3, logs from
 * CloudWatch — against the AWS-compatible endpoint named by {@code AWS_ENDPOINT_URL} (or real AWS
 * with {@code BATCH_EXECUTOR_IT_REAL_AWS=true}). Skipped, saying so, when neither is set. The
 * resources must exist: names come from {@code BATCH_EXECUTOR_IT_BUCKET}, {@code _REPOSITORY},
 * {@code _QUEUE}, {@code _JOB_ROLE}, {@code _EXECUTION_ROLE}, {@code _LOG_GROUP}; the region from
 * {@code AWS_REGION}. See the README section "Running the AWS Batch integration test".
 */
@EnabledIf(
    value = "configured",
    disabledReason =
        "AWS_ENDPOINT_URL is unset (and BATCH_EXECUTOR_IT_REAL_AWS is not true): no AWS-compatible"
            + " endpoint to run the AWS Batch flow against")
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.backend=awsbatch",
      "batch-executor.image.base-image=${BATCH_EXECUTOR_IT_BASE_IMAGE:${BATCH_EXECUTOR_TEST_BASE_IMAGE:local/python:3}}",
      "batch-executor.awsbatch.s3-path-style=${BATCH_EXECUTOR_IT_S3_PATH_STYLE:true}",
      "batch-executor.awsbatch.s3-bucket-name=${BATCH_EXECUTOR_IT_BUCKET:covalent-batch-job-resources}",
      "batch-executor.awsbatch.ecr-repo-name=${BATCH_EXECUTOR_IT_REPOSITORY:covalent-batch-job-images}",
      "batch-executor.awsbatch.batch-queue=${BATCH_EXECUTOR_IT_QUEUE:covalent-batch-queue}",
      "batch-executor.awsbatch.batch-job-role-name=${BATCH_EXECUTOR_IT_JOB_ROLE:CovalentBatchJobRole}",
      "batch-executor.awsbatch.batch-execution-role-name=${BATCH_EXECUTOR_IT_EXECUTION_ROLE:ecsTaskExecutionRole}",
      "batch-executor.awsbatch.batch-job-log-group-name=${BATCH_EXECUTOR_IT_LOG_GROUP:covalent-batch-job-logs}",
      "batch-executor.awsbatch.time-limit=600",
      "batch-executor.awsbatch.poll-freq=5"
    })
class AwsBatchFlowIT {

  static final boolean CONFIGURED =
      System.getenv("AWS_ENDPOINT_URL") != null
          || "true".equalsIgnoreCase(System.getenv("BATCH_EXECUTOR_IT_REAL_AWS"));

  @LocalServerPort int port;

  static boolean configured() {
    return CONFIGURED;
  }

  @DynamicPropertySource
  static void region(DynamicPropertyRegistry registry) {
    String region = System.getenv().getOrDefault("AWS_REGION", "us-east-1");
    registry.add("batch-executor.awsbatch.region", () -> region);
  }

  @Test
  void aTaskRunsOnBatchAndItsResultAndLogsAreServed() {
    Api api = new Api(port);
    String id =
        api.post(
                "/api/v1/tasks",
                Tasks.function(
                        "def task(x, y):\n    print('adding', x, y)\n    return x + y\n", "task")
                    .set("args", java.util.List.of(20, 22))
                    .build())
            .json()
            .get("id")
            .asString();

    JsonNode task =
        api.awaitTask(
            id,
            t -> Set.of("SUCCEEDED", "FAILED", "CANCELLED").contains(t.get("status").asString()),
            Duration.ofMinutes(20));

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    assertThat(task.get("batch_job_id").asString()).isNotBlank();
    assertThat(task.get("job_definition_arn").asString()).contains(":job-definition/");
    assertThat(task.get("result").asString()).startsWith("s3://");
    assertThat(api.get("/api/v1/tasks/" + id + "/result").json().asInt()).isEqualTo(42);
    assertThat(api.get("/api/v1/tasks/" + id + "/logs").text()).contains("adding 20 22");
  }
}
