package io.batchexecutor.api;

import static io.batchexecutor.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.SettableClock;
import io.batchexecutor.support.Tasks;
import io.batchexecutor.support.TestDatabase;
import io.batchexecutor.task.TaskNotifications;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** Every endpoint of the task API over real HTTP, with the pipeline off so tasks stay QUEUED. */
@ServiceTest
class TaskApiTest {

  @Autowired org.springframework.jdbc.core.simple.JdbcClient jdbc;
  @Autowired SettableClock clock;

  @LocalServerPort int port;
  Api api;

  @BeforeEach
  void client() {
    api = new Api(port);
  }

  @Test
  void submitAnswers202WithLocationAndTheStoredTask() {
    Api.Response response =
        api.post(
            "/api/v1/tasks", Tasks.add().executor("vcpu", 4).executor("time_limit", 600).build());

    assertThat(response.status()).isEqualTo(202);
    JsonNode task = response.json();
    String id = task.get("id").asString();
    assertThat(response.header("Location")).contains("/api/v1/tasks/" + id);
    assertThat(task.get("status").asString()).isEqualTo("QUEUED");
    assertThat(task.get("name").asString()).isEqualTo("add");
    assertThat(task.get("created_at").asString()).isNotBlank();

    JsonNode read = api.get("/api/v1/tasks/" + id).json();
    assertThat(read.get("id").asString()).isEqualTo(id);
    assertThat(read.get("executor").get("vcpu").asDouble()).isEqualTo(4.0);
    assertThat(read.get("executor").get("time_limit").asInt()).isEqualTo(600);
  }

  @Test
  void effectiveSettingsFillWhatTheRequestLeavesOutAndZeroIsAValue() {
    JsonNode task =
        api.post("/api/v1/tasks", Tasks.add().executor("num_gpus", 0).executor("memory", 8).build())
            .json();

    JsonNode executor = task.get("executor");
    assertThat(executor.get("num_gpus").asInt()).isZero();
    assertThat(executor.get("memory").asDouble()).isEqualTo(8.0);
    assertThat(executor.get("vcpu").asDouble()).isEqualTo(2.0);
    assertThat(executor.get("retry_attempts").asInt()).isEqualTo(3);
    assertThat(executor.get("time_limit").asInt()).isEqualTo(300);
    assertThat(executor.get("poll_freq").asInt()).isEqualTo(10);
    assertThat(executor.get("batch_queue").asString()).isEqualTo("covalent-batch-queue");
    assertThat(executor.get("execution_profile").asString())
        .as("the backend's default profile")
        .isEqualTo(api.get("/api/v1/executor").json().get("backend").asString());
    assertThat(executor.has("credentials")).isFalse();
    assertThat(executor.has("cache_dir")).isFalse();
  }

  @Test
  void listIsNewestFirstPagedAndFilteredByStatus() {
    String marker = "list-" + UUID.randomUUID();
    String first =
        api.post("/api/v1/tasks", Tasks.add().name(marker).build()).json().get("id").asString();
    String second =
        api.post("/api/v1/tasks", Tasks.add().name(marker).build()).json().get("id").asString();

    JsonNode page = api.get("/api/v1/tasks?status=QUEUED&size=2").json();
    assertThat(page.get("size").asInt()).isEqualTo(2);
    assertThat(page.get("page").isNull()).isTrue();
    assertThat(page.get("total").asLong()).isGreaterThanOrEqualTo(2);
    assertThat(page.get("total_exact").asBoolean()).isTrue();
    List<String> ids = page.get("items").valueStream().map(t -> t.get("id").asString()).toList();
    assertThat(ids).containsExactly(second, first);

    JsonNode one = api.get("/api/v1/tasks?status=QUEUED&size=1").json();
    JsonNode next =
        api.get("/api/v1/tasks?status=QUEUED&size=1&cursor=" + one.get("next_cursor").asString())
            .json();
    assertThat(next.get("items").get(0).get("id").asString()).isEqualTo(first);
    // the deprecated numbered page still works, and gives a cursor to go on with
    JsonNode numbered = api.get("/api/v1/tasks?status=QUEUED&page=1&size=1").json();
    assertThat(numbered.get("items").get(0).get("id").asString()).isEqualTo(first);
    assertThat(numbered.get("page").asInt()).isEqualTo(1);

    JsonNode succeeded = api.get("/api/v1/tasks?status=SUCCEEDED").json();
    assertThat(succeeded.get("items").valueStream().map(t -> t.get("id").asString()))
        .doesNotContain(first);
  }

  @Test
  void listRejectsBadPagingAndUnknownStatus() {
    assertProblem(api.get("/api/v1/tasks?size=0"), 400, "invalid-request");
    assertProblem(api.get("/api/v1/tasks?size=100000"), 400, "invalid-request");
    assertProblem(api.get("/api/v1/tasks?page=-1"), 400, "invalid-request");
    assertProblem(api.get("/api/v1/tasks?page=201&size=50"), 400, "invalid-request");
    assertThat(api.get("/api/v1/tasks?page=200&size=50").status()).isEqualTo(200);
    assertProblem(api.get("/api/v1/tasks?page=0&cursor=x"), 400, "invalid-request");
    assertProblem(api.get("/api/v1/tasks?cursor=not-a-cursor"), 400, "bad-cursor");
    assertProblem(api.get("/api/v1/workflows?cursor=MTIzOnh5eg"), 400, "bad-cursor");
    assertProblem(api.get("/api/v1/tasks?status=DANCING"), 400, "invalid-request");
  }

  @Test
  void eventsRecordTheHistory() {
    String id = api.post("/api/v1/tasks", Tasks.add().build()).json().get("id").asString();
    api.post("/api/v1/tasks/" + id + "/cancel", "");

    JsonNode events = api.get("/api/v1/tasks/" + id + "/events").json();
    assertThat(events.valueStream().map(e -> e.get("to_status").asString()))
        .containsExactly("QUEUED", "CANCELLED");
    assertThat(events.get(1).get("from_status").asString()).isEqualTo("QUEUED");
    assertThat(events.get(1).get("reason").asString()).contains("cancelled");
    assertThat(events.get(1).get("at").asString()).isNotBlank();
  }

  @Test
  void cancelOfAQueuedTaskCancelsItAndASecondCancelConflicts() {
    String id = api.post("/api/v1/tasks", Tasks.add().build()).json().get("id").asString();

    Api.Response cancel = api.post("/api/v1/tasks/" + id + "/cancel", "");
    assertThat(cancel.status()).isEqualTo(202);
    assertThat(cancel.json().get("status").asString()).isEqualTo("CANCELLED");
    assertThat(cancel.json().get("finished_at").isNull()).isFalse();

    assertProblem(api.post("/api/v1/tasks/" + id + "/cancel", ""), 409, "task-state-conflict");
  }

  @Test
  void resultAndLogsAnswer409UntilThereIsSomething() {
    String id = api.post("/api/v1/tasks", Tasks.add().build()).json().get("id").asString();

    Api.Response result = api.get("/api/v1/tasks/" + id + "/result");
    assertProblem(result, 409, "task-not-finished");
    assertThat(result.json().get("detail").asString()).contains("QUEUED");
    assertProblem(api.get("/api/v1/tasks/" + id + "/logs"), 409, "no-logs");

    api.post("/api/v1/tasks/" + id + "/cancel", "");
    Api.Response cancelled = api.get("/api/v1/tasks/" + id + "/result");
    assertProblem(cancelled, 409, "task-failed");
    assertThat(cancelled.json().get("detail").asString()).contains("CANCELLED");
  }

  @Test
  void aHeldAnswerComesWhenTheTaskEnds() {
    String id = api.post("/api/v1/tasks", Tasks.add().build()).json().get("id").asString();
    Api.Response answer =
        api.heldUntil(
            "/api/v1/tasks/" + id + "?wait=30",
            () -> api.post("/api/v1/tasks/" + id + "/cancel", ""));

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().get("status").asString()).isEqualTo("CANCELLED");
  }

  @Test
  void anEndAnnouncedByAnotherInstanceAnswersAHeldRequestAtOnce() {
    String id = api.post("/api/v1/tasks", Tasks.add().build()).json().get("id").asString();

    // what another instance's final write sends; the row itself is left QUEUED, so that only the
    // announcement (not the fallback, which finds nothing ended) can answer before the wait is over
    Api.Response answer =
        api.heldUntil(
            "/api/v1/tasks/" + id + "?wait=50",
            () ->
                jdbc.sql("SELECT pg_notify(:channel, :id)")
                    .param("channel", TaskNotifications.ENDED_CHANNEL)
                    .param("id", id)
                    .query()
                    .listOfRows());

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().get("status").asString())
        .as("answered with the task as it is then")
        .isEqualTo("QUEUED");
  }

  @Test
  void aHeldAnswerGivesTheTaskAsItIsWhenTheWaitIsOver() {
    String id = api.post("/api/v1/tasks", Tasks.add().build()).json().get("id").asString();

    Api.Response answer =
        api.heldUntilTheWaitIsOver(
            "/api/v1/tasks/" + id + "?wait=60", clock, Duration.ofSeconds(60));

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().get("status").asString()).isEqualTo("QUEUED");
    assertProblem(api.get("/api/v1/tasks/" + id + "?wait=61"), 400, "invalid-request");
    assertProblem(api.get("/api/v1/tasks/" + id + "?wait=-1"), 400, "invalid-request");
    assertProblem(api.get("/api/v1/tasks/" + id + "?wait=soon"), 400, "invalid-request");
    assertProblem(
        api.as(Api.INTRUDER).get("/api/v1/tasks/" + id + "?wait=5"), 404, "task-not-found");
  }

  @Test
  void aFollowedOutputIsClosedAfterAnHourOnTheServicesClock() {
    String id = api.post("/api/v1/tasks", Tasks.add().build()).json().get("id").asString();

    Api.Response followed =
        api.heldUntilTheWaitIsOver(
            "/api/v1/tasks/" + id + "/logs?follow=true", clock, Duration.ofHours(1));

    assertThat(followed.status()).isEqualTo(200);
    assertThat(followed.text()).as("nothing ran: nothing to send").isEmpty();
  }

  @Test
  void aRunIndexIsOnlyForSweepsAndWithinThem() {
    String single = api.post("/api/v1/tasks", Tasks.add().build()).json().get("id").asString();
    String sweep =
        api.post("/api/v1/tasks", Tasks.add().set("sweep", Map.of("b", List.of(1, 2, 3))).build())
            .json()
            .get("id")
            .asString();

    Api.Response notASweep = api.get("/api/v1/tasks/" + single + "/logs?index=0");
    assertProblem(notASweep, 400, "invalid-request");
    assertThat(notASweep.json().get("detail").asString()).contains("not a sweep");
    assertProblem(api.get("/api/v1/tasks/" + single + "/result?index=0"), 400, "invalid-request");
    assertProblem(api.get("/api/v1/tasks/" + sweep + "/logs?index=3"), 400, "invalid-request");
    assertProblem(api.get("/api/v1/tasks/" + sweep + "/logs?index=-1"), 400, "invalid-request");
    Api.Response notYet = api.get("/api/v1/tasks/" + sweep + "/logs?index=2");
    assertProblem(notYet, 409, "no-logs");
    assertThat(notYet.json().get("detail").asString()).contains("run 2 of task " + sweep);
    assertProblem(api.get("/api/v1/tasks/" + sweep + "/result?index=2"), 409, "task-not-finished");
  }

  @Test
  void unknownTasksAre404OnEveryEndpoint() {
    String id = UUID.randomUUID().toString();
    assertProblem(api.get("/api/v1/tasks/" + id), 404, "task-not-found");
    assertProblem(api.get("/api/v1/tasks/" + id + "/events"), 404, "task-not-found");
    assertProblem(api.get("/api/v1/tasks/" + id + "/result"), 404, "task-not-found");
    assertProblem(api.get("/api/v1/tasks/" + id + "/logs"), 404, "task-not-found");
    assertProblem(api.post("/api/v1/tasks/" + id + "/cancel", ""), 404, "task-not-found");
    assertProblem(api.get("/api/v1/tasks/not-a-uuid"), 404, "task-not-found");
    assertProblem(api.get("/api/v1/nothing-here"), 404, "not-found");
  }

  @Test
  void idempotencyKeyReturnsTheFirstTaskAndRefusesADifferentRequest() {
    String key = "key-" + UUID.randomUUID();
    Api.Response first = api.post("/api/v1/tasks", Tasks.add().build(), "Idempotency-Key", key);
    Api.Response again = api.post("/api/v1/tasks", Tasks.add().build(), "Idempotency-Key", key);

    assertThat(first.status()).isEqualTo(202);
    assertThat(again.status()).isEqualTo(202);
    assertThat(again.json().get("id").asString()).isEqualTo(first.json().get("id").asString());
    assertThat(again.header("Idempotent-Replayed")).contains("true");
    assertThat(again.header("Location")).isEqualTo(first.header("Location"));

    Api.Response different =
        api.post(
            "/api/v1/tasks",
            Tasks.add().set("args", List.of(5, 6)).build(),
            "Idempotency-Key",
            key);
    assertProblem(different, 409, "idempotency-key-reused");
  }

  @Test
  void executorShowsTheClientItsProfilesAndDefaultsButNoneOfTheOperatorsNamesOrPaths() {
    JsonNode executor = api.get("/api/v1/executor").json();
    JsonNode defaults = executor.get("defaults");
    assertThat(executor.get("backend").asString()).isNotBlank();
    assertThat(executor.get("client").asString()).isEqualTo("tester");
    String backend = executor.get("backend").asString();
    assertThat(executor.get("default_execution_profile").asString()).isEqualTo(backend);
    JsonNode profile = executor.get("execution_profiles").get(0);
    assertThat(profile.get("name").asString()).isEqualTo(backend);
    assertThat(profile.get("max_vcpu").asDouble()).isEqualTo(16.0);
    assertThat(profile.get("max_memory").asDouble()).isEqualTo(64.0);
    assertThat(profile.get("max_gpus").asInt()).isZero();
    assertThat(profile.get("max_time_limit").asInt()).isEqualTo(86_400);
    assertThat(profile.get("allowed_base_images").get(0).asString())
        .isEqualTo("docker.io/library/python:3.11-slim");
    assertThat(defaults.get("memory").asDouble()).isEqualTo(3.75);
    assertThat(defaults.get("time_limit").asInt()).isEqualTo(300);
    String text = executor.toString();
    for (String operators :
        List.of(
            "s3_bucket_name",
            "covalent-batch-job-resources",
            "ecr_repo_name",
            "batch_job_definition_name",
            "batch_execution_role_name",
            "ecsTaskExecutionRole",
            "batch_job_role_name",
            "CovalentBatchJobRole",
            "batch_job_log_group_name",
            "batch_queue",
            "cache_dir",
            "credentials",
            TestDatabase.CACHE_DIR)) {
      assertThat(text).doesNotContain(operators);
    }
    assertThat(text).doesNotContainIgnoringCase("aws_secret_access_key");
  }

  @Test
  void openApiAndSwaggerUiAreServed() {
    Api.Response docs = api.get("/v3/api-docs");
    assertThat(docs.status()).isEqualTo(200);
    JsonNode paths = docs.json().get("paths");
    assertThat(paths.has("/api/v1/tasks")).isTrue();
    assertThat(paths.has("/api/v1/tasks/{id}/cancel")).isTrue();
    assertThat(paths.get("/api/v1/tasks").get("post").get("responses").has("413")).isTrue();
    assertThat(paths.get("/api/v1/tasks/{id}").has("delete")).isTrue();
    for (JsonNode path : paths) {
      for (JsonNode operation : path) {
        operation
            .get("responses")
            .properties()
            .forEach(
                response -> {
                  boolean error = response.getKey().matches("[45]\\d\\d");
                  assertThat(
                          response
                              .getValue()
                              .path("content")
                              .path("application/problem+json")
                              .path("schema")
                              .path("$ref")
                              .asString(""))
                      .as("every error answer is a problem document: " + response)
                      .isEqualTo(error ? "#/components/schemas/ProblemDetail" : "");
                });
      }
    }
    assertThat(docs.json().get("components").get("schemas").has("ProblemDetail")).isTrue();
    assertThat(api.get("/swagger-ui/index.html").status()).isEqualTo(200);
    JsonNode schemas = docs.json().get("components").get("schemas");
    assertThat(schemas.get("TaskResponse").get("properties").has("status_reason"))
        .as("schemas are snake_case, as the JSON is")
        .isTrue();
    assertThat(schemas.get("TaskSettings").get("properties").has("time_limit")).isTrue();
  }
}
