package io.batchexecutor.backend.awsbatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import io.batchexecutor.support.aws.TestAwsEndpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Payload modes on the AWS Batch backend, counted against the tests' loopback AWS endpoint: staged
 * tasks with one environment and one set of resources share one image, one push and one job
 * definition revision, and each call travels as its own {@code payload.json}; baked tasks each get
 * an image, a push and a revision of their own, as the original executor made them.
 *
 * <p>Each run uses an environment of its own (a requirement the base image already satisfies, with
 * a version bound drawn for the run) and a repository of its own, so that nothing an earlier run
 * left in the engine or the registry is found instead of built or pushed.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.backend=awsbatch",
      "batch-executor.image.base-image=${BATCH_EXECUTOR_TEST_BASE_IMAGE:local/python:3}",
      "batch-executor.awsbatch.region=us-east-1",
      "batch-executor.awsbatch.s3-path-style=true",
      "batch-executor.awsbatch.s3-bucket-name=" + EnvironmentImagesOnBatchIT.BUCKET,
      "batch-executor.awsbatch.batch-queue=environment-queue",
      "batch-executor.awsbatch.poll-freq=1",
      "batch-executor.awsbatch.time-limit=120"
    })
class EnvironmentImagesOnBatchIT {

  static final String BUCKET = "batch-executor-environments";
  static final String RUN = UUID.randomUUID().toString().substring(0, 8);

  @RegisterExtension
  static final TestAwsEndpoint AWS =
      TestAwsEndpoint.withBucket(BUCKET).repository("batch-executor-env-it-" + RUN);

  @LocalServerPort int port;

  @DynamicPropertySource
  static void endpoint(DynamicPropertyRegistry registry) {
    AWS.register(registry);
    // job-definition families and a bucket of this run's, as the operator's execution profiles
    registry.add(
        "batch-executor.execution-profiles.staged.awsbatch.batch-job-definition-name",
        () -> "staged-" + RUN);
    registry.add(
        "batch-executor.execution-profiles.baked.awsbatch.batch-job-definition-name",
        () -> "baked-" + RUN);
    registry.add(
        "batch-executor.execution-profiles.missing-bucket.awsbatch.s3-bucket-name",
        () -> "no-such-bucket-" + RUN);
    registry.add(
        "batch-executor.execution-profiles.per-client.awsbatch.batch-job-definition-name",
        () -> "per-client-" + RUN);
    registry.add(
        "batch-executor.execution-profiles.per-client.awsbatch.batch-job-role-name",
        () -> "Job-{client}");
    registry.add("batch-executor.client-defaults.execution-profiles", () -> "*");
  }

  /** An environment no earlier run built: pip, which the base image has, at a bound it meets. */
  private static List<String> freshEnvironment() {
    return List.of("pip>=0.0." + ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE));
  }

  @Test
  void aHundredStagedCallsWithNewArgumentsShareOneImagePushAndDefinition() {
    Api api = new Api(port);
    List<String> requirements = freshEnvironment();
    int registeredBefore = count("RegisterJobDefinition");
    int submittedBefore = count("SubmitJob");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      Api.Response accepted =
          api.post(
              "/api/v1/tasks",
              Tasks.add()
                  .set("args", List.of(i, 1000))
                  .set("image", Map.of("requirements", requirements))
                  .executor("execution_profile", "staged")
                  .build());
      assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
      ids.add(accepted.json().get("id").asString());
    }

    List<JsonNode> ended = new ArrayList<>();
    for (String id : ids) {
      ended.add(api.awaitEnd(id, Duration.ofMinutes(4)));
    }

    for (int i = 0; i < ids.size(); i++) {
      assertThat(ended.get(i).get("status").asString())
          .as(ended.get(i).toString())
          .isEqualTo("SUCCEEDED");
      assertThat(api.get("/api/v1/tasks/" + ids.get(i) + "/result").json().asInt())
          .as("each call ran with its own arguments")
          .isEqualTo(i + 1000);
    }
    assertThat(ended.stream().map(t -> t.get("image").asString()).distinct())
        .as("one environment image for all")
        .hasSize(1);
    assertThat(ended.stream().map(t -> t.get("job_definition_arn").asString()).distinct())
        .as("one job definition revision for all")
        .hasSize(1);
    assertThat(imageEvents(api, ids, "IMAGE", "reused", false)).as("builds").isEqualTo(1);
    assertThat(imageEvents(api, ids, "IMAGE_PUSHED", "already_there", false))
        .as("pushes")
        .isEqualTo(1);
    assertThat(count("RegisterJobDefinition") - registeredBefore).isEqualTo(1);
    assertThat(count("SubmitJob") - submittedBefore).isEqualTo(100);
    assertThat(payloadsWritten(ids)).as("payload.json objects").isEqualTo(100);
    JsonNode submitted = submittedFor(ids.get(7));
    assertThat(submitted.path("containerOverrides").toString())
        .contains("BATCH_EXECUTOR_PAYLOAD_S3_URI")
        .contains("s3://" + BUCKET + "/batch-executor/tester/" + ids.get(7) + "/payload.json")
        .contains("BATCH_EXECUTOR_PAYLOAD_SHA256");
  }

  @Test
  void bakedCallsEachGetAnImagePushAndDefinitionOfTheirOwn() {
    Api api = new Api(port);
    List<String> requirements = freshEnvironment();
    int registeredBefore = count("RegisterJobDefinition");
    int submittedBefore = count("SubmitJob");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Api.Response accepted =
          api.post(
              "/api/v1/tasks",
              Tasks.add()
                  .set("args", List.of(i, 1000))
                  .set("image", Map.of("requirements", requirements, "payload", "baked"))
                  .executor("execution_profile", "baked")
                  .build());
      assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
      ids.add(accepted.json().get("id").asString());
    }

    for (int i = 0; i < ids.size(); i++) {
      JsonNode task = api.awaitEnd(ids.get(i), Duration.ofMinutes(3));
      assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
      assertThat(api.get("/api/v1/tasks/" + ids.get(i) + "/result").json().asInt())
          .isEqualTo(i + 1000);
    }
    assertThat(imageEvents(api, ids, "IMAGE", "reused", false)).as("builds").isEqualTo(3);
    assertThat(imageEvents(api, ids, "IMAGE_PUSHED", "already_there", false))
        .as("pushes")
        .isEqualTo(3);
    assertThat(count("RegisterJobDefinition") - registeredBefore).isEqualTo(3);
    assertThat(count("SubmitJob") - submittedBefore).isEqualTo(3);
    assertThat(payloadsWritten(ids)).as("the call is in the image, not beside it").isZero();
    assertThat(submittedFor(ids.get(0)).path("containerOverrides").toString())
        .doesNotContain("BATCH_EXECUTOR_PAYLOAD_S3_URI");
  }

  @Test
  void aProfileWithAJobRolePerClientRegistersOneRevisionPerClientCarryingItsRole() {
    List<String> ids = new ArrayList<>();
    for (String token : List.of(Api.TESTER, Api.INTRUDER)) {
      Api.Response accepted =
          new Api(port)
              .as(token)
              .post(
                  "/api/v1/tasks", Tasks.add().executor("execution_profile", "per-client").build());
      assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
      ids.add(accepted.json().get("id").asString());
    }
    List<String> tokens = List.of(Api.TESTER, Api.INTRUDER);
    for (int i = 0; i < ids.size(); i++) {
      JsonNode task = new Api(port).as(tokens.get(i)).awaitEnd(ids.get(i), Duration.ofMinutes(3));
      assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
    }

    List<String> roles =
        AWS.fake().definitions("per-client-" + RUN).stream()
            .map(d -> d.path("containerProperties").path("jobRoleArn").asString())
            .sorted()
            .toList();
    assertThat(roles)
        .as("one revision per role, the role the client's")
        .hasSize(2)
        .allMatch(r -> r.startsWith("arn:aws:iam::") && r.contains(":role/Job-"))
        .anyMatch(r -> r.endsWith(":role/Job-intruder"))
        .anyMatch(r -> r.endsWith(":role/Job-tester"));
  }

  @Test
  void aPayloadTheStoreRefusesFailsTheTaskWithTheStoresOwnReason() {
    Api api = new Api(port);
    Api.Response accepted =
        api.post(
            "/api/v1/tasks", Tasks.add().executor("execution_profile", "missing-bucket").build());
    assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
    String id = accepted.json().get("id").asString();

    JsonNode task = api.awaitEnd(id, Duration.ofMinutes(3));

    assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("FAILED");
    assertThat(task.get("status_reason").asString())
        .contains("payload.json")
        .containsIgnoringCase("bucket");
    JsonNode job = task.path("batch_job_id");
    assertThat(job.isNull() || job.isMissingNode()).as("nothing submitted: " + job).isTrue();
  }

  private static int count(String operation) {
    return (int) AWS.fake().calls().stream().filter(operation::equals).count();
  }

  private static long payloadsWritten(List<String> ids) {
    return AWS.fake().objectsWritten().stream()
        .filter(path -> path.endsWith("/payload.json"))
        .filter(path -> ids.stream().anyMatch(id -> path.contains("/" + id + "/")))
        .count();
  }

  private static JsonNode submittedFor(String id) {
    return AWS.fake().submitted().stream()
        .filter(r -> r.path("jobName").asString().endsWith(id))
        .findFirst()
        .orElseThrow();
  }

  /**
   * How many of the tasks have an event {@code kind} whose detail {@code flag} is {@code value}.
   */
  private static long imageEvents(Api api, List<String> ids, String kind, String flag, boolean v) {
    long n = 0;
    for (String id : ids) {
      for (JsonNode e : api.get("/api/v1/tasks/" + id + "/events").json()) {
        if (kind.equals(e.get("kind").asString())
            && e.path("details").path(flag).asBoolean(!v) == v) {
          n++;
        }
      }
    }
    return n;
  }
}
