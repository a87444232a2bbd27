package io.batchexecutor.api;

import static io.batchexecutor.support.ProblemAssert.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

/**
 * What one client may hold of an instance: held answers and followed outputs, each bounded per
 * client, so that one client's many cannot turn another's away.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.client-defaults.max-held-waits=2",
      "batch-executor.client-defaults.max-follows=1"
    })
class ClientLimitsTest {

  @LocalServerPort int port;
  final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aClientBeyondItsHeldAnswersGets429WhileAnotherClientsAreHeld() {
    Api tester = new Api(port);
    Api intruder = tester.as(Api.INTRUDER);
    String mine = tester.post("/api/v1/tasks", Tasks.add().build()).json().get("id").asString();
    String theirs = intruder.post("/api/v1/tasks", Tasks.add().build()).json().get("id").asString();

    List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
    held.add(hold("/api/v1/tasks/" + mine + "?wait=60", Api.TESTER));
    held.add(hold("/api/v1/tasks/" + mine + "?wait=60", Api.TESTER));
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              Api.Response third = tester.get("/api/v1/tasks/" + mine + "?wait=60");
              assertProblem(third, 429, "too-many-held-waits");
              assertThat(third.header("Retry-After")).contains("1");
            });
    assertThat(held).noneMatch(CompletableFuture::isDone);

    CompletableFuture<HttpResponse<String>> other =
        hold("/api/v1/tasks/" + theirs + "?wait=60", Api.INTRUDER);
    assertThat(tester.get("/api/v1/tasks/" + mine).status())
        .as("an answer not held is not counted")
        .isEqualTo(200);
    held.add(other);
    held.forEach(f -> f.cancel(true));
  }

  @Test
  void aClientFollowsAtMostItsOwnNumberOfOutputs() {
    Api tester = new Api(port);
    String mine = tester.post("/api/v1/tasks", Tasks.add().build()).json().get("id").asString();
    String theirs =
        tester
            .as(Api.INTRUDER)
            .post("/api/v1/tasks", Tasks.add().build())
            .json()
            .get("id")
            .asString();

    CompletableFuture<HttpResponse<String>> first =
        hold("/api/v1/tasks/" + mine + "/logs?follow=true", Api.TESTER);
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertProblem(
                    tester.get("/api/v1/tasks/" + mine + "/logs?follow=true"),
                    429,
                    "too-many-followers"));
    CompletableFuture<HttpResponse<String>> other =
        hold("/api/v1/tasks/" + theirs + "/logs?follow=true", Api.INTRUDER);
    assertThat(first).isNotDone();
    first.cancel(true);
    other.cancel(true);
  }

  private CompletableFuture<HttpResponse<String>> hold(String path, String token) {
    return http.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + token)
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
