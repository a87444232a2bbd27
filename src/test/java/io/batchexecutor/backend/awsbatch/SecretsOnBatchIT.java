package io.batchexecutor.backend.awsbatch;

import static io.batchexecutor.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import io.batchexecutor.support.aws.TestAwsEndpoint;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * On AWS Batch a task's environment goes with SubmitJob's container overrides and the secrets it
 * names from its execution profile go into its job definition as {@code valueFrom}, which the
 * tests' AWS endpoint resolves, as ECS does, when the container starts: the container reads both,
 * while the secret's value, and even its ARN, appear in no response, no stored row and no log line.
 */
@ServiceTest
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.backend=awsbatch",
      "batch-executor.image.base-image=${BATCH_EXECUTOR_TEST_BASE_IMAGE:local/python:3}",
      "batch-executor.awsbatch.region=us-east-1",
      "batch-executor.awsbatch.s3-path-style=true",
      "batch-executor.awsbatch.s3-bucket-name=" + SecretsOnBatchIT.BUCKET,
      "batch-executor.awsbatch.poll-freq=1",
      "batch-executor.awsbatch.time-limit=120",
      "batch-executor.awsbatch.batch-job-definition-name=secret-jobs",
      "batch-executor.execution-profiles.awsbatch.awsbatch.secrets.[DB_PASSWORD]="
          + SecretsOnBatchIT.ARN,
      "batch-executor.execution-profiles.awsbatch.awsbatch.secrets.[API_TOKEN]="
          + SecretsOnBatchIT.SSM_ARN
    })
class SecretsOnBatchIT {

  static final String BUCKET = "batch-executor-secrets";
  static final String ARN =
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-password-AbCdEf";
  static final String SSM_ARN = "arn:aws:ssm:us-east-1:123456789012:parameter/prod/api-token";
  static final String VALUE = "pa55-" + UUID.randomUUID();

  @RegisterExtension
  static final TestAwsEndpoint AWS =
      TestAwsEndpoint.withBucket(BUCKET).arranged(aws -> aws.secret(ARN, VALUE));

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;

  @DynamicPropertySource
  static void endpoint(DynamicPropertyRegistry registry) {
    AWS.register(registry);
  }

  @Test
  void theContainerReadsItsEnvironmentAndSecretWhoseValueAppearsNowhere(CapturedOutput output) {
    Api api = new Api(port);
    Api.Response accepted =
        api.post(
            "/api/v1/tasks",
            Tasks.function(
                    "import hashlib, os\ndef f():\n"
                        + "    return [os.environ.get('GREETING'),"
                        + " hashlib.sha256(os.environ['DB_PASSWORD'].encode()).hexdigest()]\n",
                    "f")
                .executor("environment", Map.of("GREETING", "hello"))
                .executor("secrets", List.of("DB_PASSWORD"))
                .build());
    assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
    String id = accepted.json().get("id").asString();

    JsonNode task = api.awaitEnd(id, Duration.ofMinutes(3));

    assertThat(task.path("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    JsonNode result = api.get("/api/v1/tasks/" + id + "/result").json();
    assertThat(result.get(0).asString()).isEqualTo("hello");
    assertThat(result.get(1).asString())
        .as("the secret's value reached the container")
        .isEqualTo(sha256(VALUE));

    JsonNode definition = AWS.fake().definitions("secret-jobs").get(0);
    JsonNode secret = definition.path("containerProperties").path("secrets").get(0);
    assertThat(secret.path("name").asString()).isEqualTo("DB_PASSWORD");
    assertThat(secret.path("valueFrom").asString()).isEqualTo(ARN);
    assertThat(definition.path("containerProperties").path("secrets").size())
        .as("only the secrets the task names")
        .isEqualTo(1);
    List<String> overrides = new ArrayList<>();
    submittedFor(id)
        .path("containerOverrides")
        .path("environment")
        .forEach(e -> overrides.add(e.path("name").asString() + "=" + e.path("value").asString()));
    assertThat(overrides).contains("GREETING=hello");

    assertThat(task.path("executor").path("secrets").toString()).isEqualTo("[\"DB_PASSWORD\"]");
    List<String> shown = new ArrayList<>();
    shown.add(task.toString());
    shown.add(api.get("/api/v1/tasks/" + id + "/events").text());
    shown.add(api.get("/api/v1/tasks?size=50").text());
    shown.add(api.get("/api/v1/executor").text());
    shown.add(
        jdbc.sql("SELECT settings::text || spec::text FROM task WHERE id = CAST(:id AS uuid)")
            .param("id", id)
            .query(String.class)
            .single());
    shown.add(output.getAll());
    for (String text : shown) {
      assertThat(text).doesNotContain(VALUE).doesNotContain(ARN).doesNotContain(SSM_ARN);
    }
  }

  @Test
  void aSecretTheProfileDoesNotGiveIsRefusedListingTheNamesOnly() {
    Api.Response refused =
        new Api(port)
            .post("/api/v1/tasks", Tasks.add().executor("secrets", List.of("ROOT_KEY")).build());

    assertProblem(refused, 400, "secret-not-allowed");
    JsonNode error = refused.json().get("errors").get(0);
    assertThat(error.get("field").asString()).isEqualTo("executor.secrets[0]");
    assertThat(error.get("message").asString())
        .contains("API_TOKEN, DB_PASSWORD")
        .doesNotContain("arn:");
  }

  @Test
  void anAwsVariableIsRefusedNamingIt() {
    Api.Response refused =
        new Api(port)
            .post(
                "/api/v1/tasks",
                Tasks.add().executor("environment", Map.of("AWS_BATCH_JOB_ID", "x")).build());

    assertProblem(refused, 400, "environment-name-reserved");
    assertThat(refused.json().get("errors").get(0).get("field").asString())
        .isEqualTo("executor.environment.AWS_BATCH_JOB_ID");
  }

  private static JsonNode submittedFor(String taskId) {
    return AWS.fake().submitted().stream()
        .filter(j -> j.path("jobName").asString().equals("batch-executor-" + taskId))
        .findFirst()
        .orElseThrow();
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
