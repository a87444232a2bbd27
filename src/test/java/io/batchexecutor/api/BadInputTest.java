package io.batchexecutor.api;

import static io.batchexecutor.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Every kind of bad request gets a problem document that names the offending field, and nothing is
 * stored.
 */
@ServiceTest
class BadInputTest {

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;
  Api api;

  @BeforeEach
  void client() {
    api = new Api(port);
  }

  static Stream<Arguments> badTasks() {
    String oneMiBPlus = "x = 1\n".repeat((1024 * 1024) / 6 + 1) + "def f():\n    return 1\n";
    return Stream.of(
        bad(
            "sweep not an object",
            Tasks.add().set("sweep", List.of(1)),
            "invalid-request",
            "sweep"),
        bad(
            "sweep with an empty list",
            Tasks.add().set("sweep", Map.of("C", List.of())),
            "invalid-request",
            "sweep.C"),
        bad(
            "sweep name not an identifier",
            Tasks.add().set("sweep", Map.of("not-a-name", List.of(1))),
            "invalid-request",
            "sweep.not-a-name"),
        bad(
            "sweep over a kwarg that is set",
            Tasks.add().set("kwargs", Map.of("C", 1)).set("sweep", Map.of("C", List.of(1, 2))),
            "invalid-request",
            "sweep.C"),
        bad(
            "sweep of more than 10,000 combinations",
            Tasks.add()
                .set(
                    "sweep",
                    Map.of(
                        "a", java.util.Collections.nCopies(101, 1),
                        "b", java.util.Collections.nCopies(100, 1))),
            "invalid-request",
            "sweep"),
        bad("function missing", Tasks.add().set("function", null), "invalid-request", "function"),
        bad(
            "function name missing",
            Tasks.function("def f(): pass", ""),
            "invalid-request",
            "function.name"),
        bad(
            "function name not an identifier",
            Tasks.function("def f(): pass", "f; import os"),
            "invalid-request",
            "function.name"),
        bad(
            "function name a keyword",
            Tasks.function("def f(): pass", "class"),
            "invalid-request",
            "function.name"),
        bad(
            "function name starting with a digit",
            Tasks.function("def f(): pass", "1f"),
            "invalid-request",
            "function.name"),
        bad("empty source", Tasks.function("   ", "f"), "invalid-request", "function.source"),
        bad(
            "source over 1 MiB",
            Tasks.function(oneMiBPlus, "f"),
            "invalid-request",
            "function.source"),
        bad(
            "args not an array",
            Tasks.add().set("args", Map.of("x", 1)),
            "invalid-request",
            "args"),
        bad("args a number", Tasks.add().set("args", 5), "invalid-request", "args"),
        bad(
            "kwargs not an object",
            Tasks.add().set("kwargs", List.of(1)),
            "invalid-request",
            "kwargs"),
        bad(
            "kwargs key not an identifier",
            Tasks.add().set("kwargs", Map.of("a-b", 1)),
            "invalid-request",
            "kwargs.a-b"),
        bad(
            "kwargs key with a path",
            Tasks.add().set("kwargs", Map.of("../x", 1)),
            "invalid-request",
            "kwargs.../x"),
        bad("vcpu zero", Tasks.add().executor("vcpu", 0), "invalid-request", "executor.vcpu"),
        bad("vcpu negative", Tasks.add().executor("vcpu", -1), "invalid-request", "executor.vcpu"),
        bad("vcpu a string", Tasks.add().executor("vcpu", "4"), "invalid-request", "executor.vcpu"),
        bad("memory zero", Tasks.add().executor("memory", 0), "invalid-request", "executor.memory"),
        bad(
            "num_gpus negative",
            Tasks.add().executor("num_gpus", -1),
            "invalid-request",
            "executor.num_gpus"),
        bad(
            "num_gpus fractional",
            Tasks.add().executor("num_gpus", 1.5),
            "invalid-request",
            "executor.num_gpus"),
        bad(
            "retry_attempts 0",
            Tasks.add().executor("retry_attempts", 0),
            "invalid-request",
            "executor.retry_attempts"),
        bad(
            "retry_attempts 11",
            Tasks.add().executor("retry_attempts", 11),
            "invalid-request",
            "executor.retry_attempts"),
        bad(
            "time_limit 0",
            Tasks.add().executor("time_limit", 0),
            "invalid-request",
            "executor.time_limit"),
        bad(
            "poll_freq negative",
            Tasks.add().executor("poll_freq", -5),
            "invalid-request",
            "executor.poll_freq"),
        bad(
            "queue with a space",
            Tasks.add().executor("batch_queue", "my queue"),
            "invalid-request",
            "executor.batch_queue"),
        bad(
            "job definition over 128",
            Tasks.add().executor("batch_job_definition_name", "j".repeat(129)),
            "invalid-request",
            "executor.batch_job_definition_name"),
        bad(
            "bucket in capitals",
            Tasks.add().executor("s3_bucket_name", "MyBucket"),
            "invalid-request",
            "executor.s3_bucket_name"),
        bad(
            "repository with spaces",
            Tasks.add().executor("ecr_repo_name", "my repo"),
            "invalid-request",
            "executor.ecr_repo_name"),
        bad(
            "base image with a newline",
            Tasks.add().set("image", Map.of("base_image", "python\nRUN rm")),
            "invalid-request",
            "image.base_image"),
        bad(
            "payload mode that is neither staged nor baked",
            Tasks.add().set("image", Map.of("payload", "inline")),
            "invalid-request",
            "image.payload"),
        bad(
            "payload mode in capitals",
            Tasks.add().set("image", Map.of("payload", "STAGED")),
            "invalid-request",
            "image.payload"),
        bad(
            "requirement that is a pip option",
            Tasks.add().set("image", Map.of("requirements", List.of("--index-url=http://x"))),
            "invalid-request",
            "image.requirements[0]"),
        bad(
            "URL requirement",
            Tasks.add()
                .set(
                    "image",
                    Map.of("requirements", List.of("numpy", "pkg @ https://example.com/p.whl"))),
            "invalid-request",
            "image.requirements[1]"),
        bad(
            "version-control requirement",
            Tasks.add().set("image", Map.of("requirements", List.of("git+https://x/y.git"))),
            "invalid-request",
            "image.requirements[0]"),
        bad(
            "path requirement",
            Tasks.add().set("image", Map.of("requirements", List.of("./pkg"))),
            "invalid-request",
            "image.requirements[0]"),
        bad(
            "typo in an executor key",
            Tasks.add().executor("vcpus", 4),
            "unknown-field",
            "executor.vcpus"),
        bad("unknown top-level field", Tasks.add().set("priority", 1), "unknown-field", "priority"),
        bad(
            "credentials from a request",
            Tasks.add().executor("credentials", "/etc/shadow"),
            "setting-not-allowed",
            "executor.credentials"),
        bad(
            "profile from a request",
            Tasks.add().executor("profile", "admin"),
            "setting-not-allowed",
            "executor.profile"),
        bad(
            "cache_dir from a request",
            Tasks.add().executor("cache_dir", "/"),
            "setting-not-allowed",
            "executor.cache_dir"),
        bad("name too long", Tasks.add().name("n".repeat(257)), "invalid-request", "name"),
        bad(
            "an AWS variable in the environment",
            Tasks.add().executor("environment", Map.of("AWS_ACCESS_KEY_ID", "x")),
            "environment-name-reserved",
            "executor.environment.AWS_ACCESS_KEY_ID"),
        bad(
            "one of the service's variables in the environment",
            Tasks.add().executor("environment", Map.of("BATCH_EXECUTOR_RESULT_S3_URI", "s3://x")),
            "environment-name-reserved",
            "executor.environment.BATCH_EXECUTOR_RESULT_S3_URI"),
        bad(
            "PATH in the environment",
            Tasks.add().executor("environment", Map.of("PATH", "/tmp")),
            "environment-name-reserved",
            "executor.environment.PATH"),
        bad(
            "a Python variable in the environment, in lower case",
            Tasks.add().executor("environment", Map.of("pythonpath", "/tmp")),
            "environment-name-reserved",
            "executor.environment.pythonpath"),
        bad(
            "an environment name that is no name",
            Tasks.add().executor("environment", Map.of("MY-VAR", "x")),
            "invalid-request",
            "executor.environment.MY-VAR"),
        bad(
            "an environment name starting with a digit",
            Tasks.add().executor("environment", Map.of("1X", "x")),
            "invalid-request",
            "executor.environment.1X"),
        bad(
            "too many environment variables",
            Tasks.add().executor("environment", manyVariables(51, 1)),
            "invalid-request",
            "executor.environment"),
        bad(
            "an environment too large",
            Tasks.add().executor("environment", manyVariables(2, 2100)),
            "invalid-request",
            "executor.environment"),
        bad(
            "environment not an object",
            Tasks.add().executor("environment", List.of("A=1")),
            "invalid-request",
            "executor.environment"),
        bad(
            "a secret with a reserved name",
            Tasks.add().executor("secrets", List.of("AWS_SECRET_ACCESS_KEY")),
            "environment-name-reserved",
            "executor.secrets[0]"),
        bad(
            "a secret named twice",
            Tasks.add().executor("secrets", List.of("TOKEN", "TOKEN")),
            "invalid-request",
            "executor.secrets[1]"),
        bad(
            "a secret that the environment sets too",
            Tasks.add()
                .executor("secrets", List.of("TOKEN"))
                .executor("environment", Map.of("TOKEN", "x")),
            "invalid-request",
            "executor.secrets[0]"),
        bad(
            "a secret on a backend that gives none",
            Tasks.add().executor("secrets", List.of("TOKEN")),
            "secret-not-allowed",
            "executor.secrets"));
  }

  private static Map<String, String> manyVariables(int count, int valueLength) {
    Map<String, String> variables = new java.util.TreeMap<>();
    for (int i = 0; i < count; i++) {
      variables.put("V" + i, "x".repeat(valueLength));
    }
    return variables;
  }

  private static Arguments bad(String what, Tasks task, String kind, String field) {
    return Arguments.of(what, task.build(), kind, field);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badTasks")
  void badTaskIsRefusedWithTheFieldNamedAndNothingStored(
      String what, Map<String, Object> body, String kind, String field) {
    long before = taskRows();

    Api.Response response = api.post("/api/v1/tasks", body);

    assertProblem(response, 400, kind);
    JsonNode errors = response.json().get("errors");
    assertThat(errors).as(response.text()).isNotNull();
    assertThat(errors.valueStream().map(e -> e.get("field").asString())).contains(field);
    assertThat(taskRows()).isEqualTo(before);
  }

  @Test
  void aUrlRequirementIsRefusedInAWorkflowTooNamingTheEntryAndNothingIsStored() {
    long before = taskRows();
    long workflowsBefore = jdbc.sql("SELECT count(*) FROM workflow").query(Long.class).single();
    Map<String, Object> task =
        Tasks.add()
            .set("image", Map.of("requirements", List.of("evil @ https://example.com/e.tar.gz")))
            .build();

    Api.Response response =
        api.post(
            "/api/v1/workflows",
            Map.of("name", "w", "tasks", Map.of("ok", Tasks.add().build(), "bad", task)));

    assertProblem(response, 400, "invalid-request");
    assertThat(response.json().get("errors").valueStream())
        .anySatisfy(
            e -> {
              assertThat(e.get("field").asString()).isEqualTo("tasks.bad.image.requirements[0]");
              assertThat(e.get("message").asString())
                  .startsWith("is a URL requirement")
                  .contains("evil @ https://example.com/e.tar.gz");
            });
    assertThat(taskRows()).isEqualTo(before);
    assertThat(jdbc.sql("SELECT count(*) FROM workflow").query(Long.class).single())
        .isEqualTo(workflowsBefore);
  }

  @Test
  void severalProblemsAreReportedTogether() {
    Api.Response response =
        api.post(
            "/api/v1/tasks",
            Tasks.function("def f(): pass", "not valid")
                .executor("vcpu", 0)
                .executor("retry_attempts", 20)
                .build());

    assertProblem(response, 400, "invalid-request");
    assertThat(response.json().get("errors").valueStream().map(e -> e.get("field").asString()))
        .containsExactlyInAnyOrder("executor.retry_attempts", "executor.vcpu", "function.name");
  }

  @Test
  void malformedJsonIsAProblem() {
    long before = taskRows();
    assertProblem(api.post("/api/v1/tasks", "{\"function\": "), 400, "malformed-json");
    assertProblem(api.post("/api/v1/tasks", "not json"), 400, "malformed-json");
    assertProblem(api.post("/api/v1/tasks", ""), 400, "malformed-json");
    assertProblem(api.post("/api/v1/tasks", "{} {}"), 400, "malformed-json");
    assertThat(taskRows()).isEqualTo(before);
  }

  @Test
  void wrongMethodAndMediaTypeAreProblems() {
    assertProblem(
        api.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/tasks"))
                .header("Authorization", "Bearer " + Api.TESTER)
                .DELETE()
                .build()),
        405,
        "method-not-allowed");
    assertProblem(
        api.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/tasks"))
                .header("Authorization", "Bearer " + Api.TESTER)
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("hello"))
                .build()),
        415,
        "unsupported-media-type");
  }

  @Test
  void bodyOverTheLimitIs413BeforeItIsRead() {
    long before = taskRows();
    String huge = "{\"name\": \"" + "x".repeat(5 * 1024 * 1024 + 1) + "\"}";

    assertProblem(api.post("/api/v1/tasks", huge), 413, "request-too-large");
    assertThat(taskRows()).isEqualTo(before);
  }

  @Test
  void chunkedBodyOverTheLimitIs413() {
    long before = taskRows();
    byte[] huge = ("{\"name\": \"" + "x".repeat(5 * 1024 * 1024 + 1) + "\"}").getBytes();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/tasks"))
            .header("Authorization", "Bearer " + Api.TESTER)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(huge)))
            .build();

    assertProblem(api.send(request), 413, "request-too-large");
    assertThat(taskRows()).isEqualTo(before);
  }

  private long taskRows() {
    return jdbc.sql("SELECT count(*) FROM task").query(Long.class).single();
  }
}
