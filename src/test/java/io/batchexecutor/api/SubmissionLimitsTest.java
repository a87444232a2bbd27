package io.batchexecutor.api;

import static io.batchexecutor.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.SettableClock;
import io.batchexecutor.support.Tasks;
import io.batchexecutor.task.SubmissionRefusedException;
import io.batchexecutor.task.UnfinishedTasks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/**
 * What one client may submit: its unfinished tasks, its submissions a second on an instance and the
 * runs of one request, each bounded per client. The client over a limit is refused with the limit,
 * its count and (where waiting helps) Retry-After; another client submits at the same moment as if
 * nothing happened; a replay of an earlier submission is never refused; {@code /usage} shows each
 * client its own, and the operator everyone's.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.clients.tester.max-unfinished-tasks=3",
      "batch-executor.clients.tester.submissions-per-second=0.01",
      "batch-executor.clients.tester.submission-burst=5",
      "batch-executor.clients.tester.max-runs-per-request=10",
      "batch-executor.security.tokens=tester="
          + Api.TESTER
          + ",intruder="
          + Api.INTRUDER
          + ",racer="
          + SubmissionLimitsTest.RACER,
      "batch-executor.clients.racer.max-unfinished-tasks=5"
    })
class SubmissionLimitsTest {

  static final String RACER = "test-token-racer-00000004";

  @LocalServerPort int port;
  @Autowired SettableClock clock;
  @Autowired UnfinishedTasks unfinished;
  @Autowired TransactionTemplate tx;

  Api tester;
  Api intruder;
  Api operator;

  @BeforeEach
  void fullBuckets() {
    tester = new Api(port);
    intruder = tester.as(Api.INTRUDER);
    operator = tester.as(Api.OPERATOR);
    clock.advance(Duration.ofDays(1)); // a day at 0.01 a second fills any bucket of 5
  }

  @Test
  void aClientOverItsUnfinishedTasksAndItsRateIsRefusedWhileAnotherSubmits() {
    long theirsBefore = only(intruder.get("/api/v1/usage")).at("/usage/unfinished_tasks").asLong();
    // a sweep is one task, however many runs it has
    Map<String, Object> sweep =
        Tasks.add().set("args", List.of(1)).set("sweep", Map.of("y", range(10))).build();
    List<String> mine = new ArrayList<>();
    mine.add(accepted(tester.post("/api/v1/tasks", sweep, "Idempotency-Key", "first")));
    mine.add(accepted(tester.post("/api/v1/tasks", Tasks.add().build())));
    mine.add(accepted(tester.post("/api/v1/tasks", Tasks.add().build())));

    Api.Response fourth = tester.post("/api/v1/tasks", Tasks.add().build());
    assertProblem(fourth, 429, "too-many-unfinished-tasks");
    assertThat(fourth.header("Retry-After")).contains("5");
    assertThat(fourth.json().get("limit").asInt()).isEqualTo(3);
    assertThat(fourth.json().get("unfinished_tasks").asLong()).isEqualTo(3);
    assertThat(fourth.json().get("detail").asString()).contains("3", "max-unfinished-tasks");

    Api.Response workflow =
        tester.post(
            "/api/v1/workflows",
            Map.of("tasks", Map.of("a", Tasks.add().build(), "b", Tasks.add().build())));
    assertProblem(workflow, 429, "too-many-unfinished-tasks");
    assertThat(workflow.json().get("tasks_submitted").asInt()).isEqualTo(2);
    assertThat(count(tester)).as("nothing of a refused workflow is stored").isEqualTo(3);

    // the other client, at the same moment
    String theirs = accepted(intruder.post("/api/v1/tasks", Tasks.add().build()));

    // five tokens taken: the replay passes both limits, and costs none
    Api.Response replay = tester.post("/api/v1/tasks", sweep, "Idempotency-Key", "first");
    assertThat(replay.status()).isEqualTo(202);
    assertThat(replay.header("Idempotent-Replayed")).contains("true");
    assertThat(replay.json().get("id").asString()).isEqualTo(mine.get(0));

    Api.Response tooFast = tester.post("/api/v1/tasks", Tasks.add().build());
    assertProblem(tooFast, 429, "too-many-submissions");
    assertThat(Long.parseLong(tooFast.header("Retry-After").orElseThrow())).isBetween(1L, 100L);
    assertThat(intruder.post("/api/v1/tasks", Tasks.add().build()).status()).isEqualTo(202);

    // each client's own view, and the operator's of both
    JsonNode own = only(tester.get("/api/v1/usage"));
    assertThat(own.get("client").asString()).isEqualTo("tester");
    assertThat(own.at("/limits/max_unfinished_tasks").asInt()).isEqualTo(3);
    assertThat(own.at("/limits/submission_burst").asInt()).isEqualTo(5);
    assertThat(own.at("/limits/max_runs_per_request").asInt()).isEqualTo(10);
    assertThat(own.at("/limits/max_uploads_in_flight").asInt()).isEqualTo(4);
    assertThat(own.at("/usage/uploads_in_flight").isInt()).isTrue();
    assertThat(own.at("/usage/uploads_in_flight").asInt()).as("no upload under way").isZero();
    assertThat(own.at("/usage/unfinished_tasks").asLong()).isEqualTo(3);
    assertThat(own.at("/usage/submission_tokens").asInt()).isZero();
    JsonNode theirView = only(intruder.get("/api/v1/usage"));
    assertThat(theirView.get("client").asString()).isEqualTo("intruder");
    assertThat(theirView.at("/usage/unfinished_tasks").asLong()).isEqualTo(theirsBefore + 2);
    assertThat(theirView.at("/limits/max_unfinished_tasks").asInt()).isEqualTo(10_000);
    assertProblem(tester.get("/api/v1/usage?client=intruder"), 403, "forbidden");

    Api.Response all = operator.get("/api/v1/usage");
    assertThat(all.status()).isEqualTo(200);
    assertThat(all.json().get("clients").valueStream().map(c -> c.get("client").asString()))
        .contains("intruder", "tester");
    JsonNode testerSeen = only(operator.get("/api/v1/usage?client=tester"));
    assertThat(testerSeen.at("/usage/unfinished_tasks").asLong()).isEqualTo(3);
    assertThat(operator.get("/api/v1/tasks").status())
        .as("the operator's token still names no client elsewhere")
        .isEqualTo(403);

    // one task ends and a token comes back: the client submits again
    assertThat(tester.post("/api/v1/tasks/" + mine.get(1) + "/cancel", "").status()).isEqualTo(202);
    clock.advance(Duration.ofSeconds(100));
    accepted(tester.post("/api/v1/tasks", Tasks.add().build()));
    assertThat(intruder.get("/api/v1/tasks/" + theirs).status()).isEqualTo(200);
  }

  @Test
  void aRequestForMoreRunsThanTheClientsLimitIsRefusedAtOnce() {
    Map<String, Object> eleven =
        Tasks.add().set("args", List.of(1)).set("sweep", Map.of("y", range(11))).build();
    Api.Response task = tester.post("/api/v1/tasks", eleven);
    assertProblem(task, 400, "too-many-runs");
    assertThat(task.header("Retry-After")).isEmpty();
    assertThat(task.json().get("limit").asInt()).isEqualTo(10);
    assertThat(task.json().get("runs").asLong()).isEqualTo(11);

    Map<String, Object> six =
        Tasks.add().set("args", List.of(1)).set("sweep", Map.of("y", range(6))).build();
    Api.Response workflow =
        tester.post("/api/v1/workflows", Map.of("tasks", Map.of("a", six, "b", six)));
    assertProblem(workflow, 400, "too-many-runs");
    assertThat(workflow.json().get("runs").asLong()).isEqualTo(12);

    accepted(intruder.post("/api/v1/tasks", eleven));
  }

  @Test
  void concurrentSubmissionsOfOneClientNeverPassItsUnfinishedTasksTogether() throws Exception {
    Api racer = tester.as(RACER);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<Api.Response>> answers = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        Object body =
            i % 3 == 0
                ? Map.of("tasks", Map.of("a", Tasks.add().build(), "b", Tasks.add().build()))
                : Tasks.add().build();
        String path = i % 3 == 0 ? "/api/v1/workflows" : "/api/v1/tasks";
        answers.add(pool.submit(() -> racer.post(path, body)));
      }
      long acceptedTasks = 0;
      for (int i = 0; i < answers.size(); i++) {
        Api.Response answer = answers.get(i).get(60, TimeUnit.SECONDS);
        if (answer.status() == 202) {
          acceptedTasks += i % 3 == 0 ? 2 : 1;
        } else {
          assertProblem(answer, 429, "too-many-unfinished-tasks");
        }
      }
      long unfinished = only(racer.get("/api/v1/usage")).at("/usage/unfinished_tasks").asLong();
      assertThat(unfinished).isEqualTo(acceptedTasks).isBetween(4L, 5L);
      assertThat(count(racer))
          .as("nothing of a refused submission is stored")
          .isEqualTo(unfinished);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aSubmissionInFlightWhenTheCountIsReadAgainStillCounts() throws Exception {
    String owner = "in-flight";
    CountDownLatch reserved = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    // four tasks reserved by a submission whose transaction has not committed yet
    CompletableFuture<Void> storing =
        CompletableFuture.runAsync(
            () ->
                tx.executeWithoutResult(
                    status -> {
                      unfinished.reserve(owner, 4, 5);
                      reserved.countDown();
                      try {
                        release.await(30, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      status.setRollbackOnly();
                    }));
    try {
      assertThat(reserved.await(30, TimeUnit.SECONDS)).isTrue();
      // the count is read again: it cannot see them, yet they are coming
      clock.advance(UnfinishedTasks.RECOUNT.plusMillis(1));

      assertThatThrownBy(() -> unfinished.reserve(owner, 2, 5))
          .isInstanceOf(SubmissionRefusedException.class);
      unfinished.reserve(owner, 1, 5);
    } finally {
      release.countDown();
      storing.get(30, TimeUnit.SECONDS);
    }
    // the first submission stored nothing after all: its four are given back
    unfinished.reserve(owner, 4, 5);
  }

  private static List<Integer> range(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  private static String accepted(Api.Response response) {
    assertThat(response.status()).as(response.text()).isEqualTo(202);
    return response.json().get("id").asString();
  }

  private static long count(Api client) {
    return client.get("/api/v1/tasks/counts").json().get("total").asLong();
  }

  private static JsonNode only(Api.Response usage) {
    assertThat(usage.status()).as(usage.text()).isEqualTo(200);
    assertThat(usage.json().get("clients").size()).isEqualTo(1);
    return usage.json().get("clients").get(0);
  }
}
