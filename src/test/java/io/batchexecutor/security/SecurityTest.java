package io.batchexecutor.security;

import static io.batchexecutor.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/** Bearer tokens, and clients that never see each other's tasks, over real HTTP. */
@ServiceTest
class SecurityTest {

  @LocalServerPort int port;
  Api tester;
  Api intruder;

  @BeforeEach
  void clients() {
    tester = new Api(port);
    intruder = tester.as(Api.INTRUDER);
  }

  @Test
  void noTokenOrAWrongOneIsA401Problem() {
    for (Api caller : new Api[] {tester.as(null), tester.as("not-a-valid-token-at-all")}) {
      Api.Response response = caller.get("/api/v1/tasks");
      assertProblem(response, 401, "unauthorized");
      assertThat(response.header("WWW-Authenticate")).contains("Bearer");
      assertProblem(caller.post("/api/v1/tasks", Tasks.add().build()), 401, "unauthorized");
    }
  }

  @Test
  void healthAndTheOpenApiDocumentNeedNoToken() {
    Api anonymous = tester.as(null);
    assertThat(anonymous.get("/actuator/health").status()).isIn(200, 503);
    assertThat(anonymous.get("/v3/api-docs").status()).isEqualTo(200);
    assertThat(anonymous.get("/swagger-ui/index.html").status()).isEqualTo(200);
    assertThat(anonymous.get("/v3/api-docs").text()).contains("bearer");
  }

  @Test
  void healthShowsItsComponentsOnlyToTheOperator() {
    for (Api caller :
        new Api[] {tester.as(null), tester.as("not-a-valid-token-at-all"), tester, intruder}) {
      Api.Response health = caller.get("/actuator/health");
      assertThat(health.status()).isIn(200, 503);
      // the status, and the names of the probes' groups (liveness, readiness)
      assertThat(health.json().propertyNames()).as(health.text()).contains("status");
      assertThat(health.json().propertyNames()).isSubsetOf("status", "groups");
      assertThat(health.text()).doesNotContain("components").doesNotContain("details");
      assertThat(caller.get("/actuator/health/db").status()).isEqualTo(404);
      assertThat(caller.get("/actuator/health/liveness").json().propertyNames())
          .containsExactly("status");
    }

    Api operator = tester.as(Api.OPERATOR);
    Api.Response health = operator.get("/actuator/health");
    assertThat(health.json().get("components").propertyNames())
        .contains("db", "diskSpace", "instances");
    assertThat(health.json().get("components").get("diskSpace").has("details")).isTrue();
    assertThat(operator.get("/actuator/health/db").json().get("status").asString()).isEqualTo("UP");
  }

  @Test
  void theOperatorsTokenIsNoClient() {
    Api operator = tester.as(Api.OPERATOR);
    String id = tester.post("/api/v1/tasks", Tasks.add().build()).json().get("id").asString();

    for (Api.Response answer :
        new Api.Response[] {
          operator.get("/api/v1/tasks"),
          operator.get("/api/v1/tasks/" + id),
          operator.get("/api/v1/executor"),
          operator.post("/api/v1/tasks", Tasks.add().build()),
          operator.post("/api/v1/tasks/" + id + "/cancel", "")
        }) {
      assertProblem(answer, 403, "forbidden");
      assertThat(answer.text()).doesNotContain("QUEUED").doesNotContain("\"args\"");
    }
    assertThat(tester.get("/api/v1/tasks/" + id).json().get("status").asString())
        .isNotEqualTo("CANCELLED");
    assertThat(operator.get("/actuator/prometheus").status()).isEqualTo(200);
  }

  @Test
  void anotherClientGets404ForATaskOnEveryEndpoint() {
    String id = tester.post("/api/v1/tasks", Tasks.add().build()).json().get("id").asString();

    assertProblem(intruder.get("/api/v1/tasks/" + id), 404, "task-not-found");
    assertProblem(intruder.get("/api/v1/tasks/" + id + "/events"), 404, "task-not-found");
    assertProblem(intruder.get("/api/v1/tasks/" + id + "/result"), 404, "task-not-found");
    assertProblem(intruder.get("/api/v1/tasks/" + id + "/logs"), 404, "task-not-found");
    assertProblem(intruder.get("/api/v1/tasks/" + id + "/logs?follow=true"), 404, "task-not-found");
    assertProblem(intruder.post("/api/v1/tasks/" + id + "/cancel", ""), 404, "task-not-found");
    assertProblem(intruder.delete("/api/v1/tasks/" + id), 404, "task-not-found");
    assertThat(intruder.get("/api/v1/tasks?size=200").text()).doesNotContain(id);
    assertThat(tester.get("/api/v1/tasks/" + id).json().get("status").asString())
        .as("the intruder's cancel did nothing")
        .isEqualTo("QUEUED");
    assertThat(tester.get("/api/v1/tasks?size=200").text()).contains(id);
  }

  @Test
  void anIdempotencyKeyIsPerClient() {
    String key = "shared-key-" + System.nanoTime();
    String mine =
        tester
            .post("/api/v1/tasks", Tasks.add().build(), "Idempotency-Key", key)
            .json()
            .get("id")
            .asString();
    String theirs =
        intruder
            .post("/api/v1/tasks", Tasks.add().build(), "Idempotency-Key", key)
            .json()
            .get("id")
            .asString();

    assertThat(theirs).isNotEqualTo(mine);
  }

  @Test
  void tokensNeverComeBackInAnAnswer() {
    String body =
        tester.post("/api/v1/tasks", Tasks.add().build()).text()
            + tester.get("/api/v1/executor").text()
            + tester.get("/actuator/health").text();

    assertThat(body).doesNotContain(Api.TESTER).doesNotContain(Api.INTRUDER);
  }
}
