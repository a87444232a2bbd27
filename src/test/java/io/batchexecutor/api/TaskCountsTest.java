package io.batchexecutor.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /api/v1/tasks/counts} counts the caller's own tasks by status, and a sweep's task
 * answer carries its names and values in the order its runs use, the same when it is accepted and
 * when it is read back. The pipeline is off, so tasks stay QUEUED.
 */
@ServiceTest
class TaskCountsTest {

  @LocalServerPort int port;

  @Test
  void theCountsAreTheCallersOwnByStatus() {
    Api tester = new Api(port);
    Api intruder = tester.as(Api.INTRUDER);
    JsonNode before = tester.get("/api/v1/tasks/counts").json();
    long queued = before.get("counts").path("QUEUED").asLong(0);
    long total = before.get("total").asLong();

    for (int i = 0; i < 2; i++) {
      assertThat(tester.post("/api/v1/tasks", Tasks.add().build()).status()).isEqualTo(202);
    }
    Api.Response cancelled = tester.post("/api/v1/tasks", Tasks.add().build());
    tester.post("/api/v1/tasks/" + cancelled.json().get("id").asString() + "/cancel", "");

    JsonNode counts = tester.get("/api/v1/tasks/counts").json();
    assertThat(counts.get("counts").get("QUEUED").asLong()).isEqualTo(queued + 2);
    assertThat(counts.get("counts").get("CANCELLED").asLong()).isPositive();
    assertThat(counts.get("total").asLong()).isEqualTo(total + 3);
    long sum = 0;
    for (JsonNode n : counts.get("counts")) {
      sum += n.asLong();
    }
    assertThat(sum).isEqualTo(counts.get("total").asLong());
    assertThat(counts.get("total").asLong())
        .isEqualTo(tester.get("/api/v1/tasks?size=1").json().get("total").asLong());

    JsonNode theirs = intruder.get("/api/v1/tasks/counts").json();
    assertThat(theirs.get("total").asLong())
        .isEqualTo(intruder.get("/api/v1/tasks?size=1").json().get("total").asLong());
    assertThat(tester.as(null).get("/api/v1/tasks/counts").status()).isEqualTo(401);
  }

  @Test
  void aSweepsTaskCarriesItsNamesAndValuesInTheOrderItsRunsUse() {
    Map<String, Object> sweep = new LinkedHashMap<>();
    sweep.put("gamma", List.of(0.1, 0.7));
    sweep.put("C", List.of(1, 10, 100));
    JsonNode task =
        new Api(port)
            .post(
                "/api/v1/tasks",
                Tasks.function("def fit(C, gamma):\n    return C * gamma\n", "fit")
                    .set("sweep", sweep)
                    .build())
            .json();

    JsonNode read = new Api(port).get("/api/v1/tasks/" + task.get("id").asString()).json();
    // as given (a jsonb column would put the shorter name first, and run the names in that order)
    assertThat(read.get("sweep").toString()).isEqualTo("{\"gamma\":[0.1,0.7],\"C\":[1,10,100]}");
    assertThat(task.get("sweep")).isEqualTo(read.get("sweep"));
    JsonNode plain = new Api(port).post("/api/v1/tasks", Tasks.add().build()).json();
    assertThat(plain.path("sweep").isNull() || plain.path("sweep").isMissingNode()).isTrue();
  }
}
