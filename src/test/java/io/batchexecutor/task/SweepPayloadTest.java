package io.batchexecutor.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.backend.TaskPayload;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * How a sweep's payload carries it is decided when the task is accepted and kept with it: a sweep
 * accepted now stores and sends its axes, request-sized; one stored before (no {@code
 * sweep_payload}) keeps the payload that lists every combination, byte for byte what its image and
 * digest were made from.
 */
@ServiceTest
class SweepPayloadTest {

  @Autowired TaskQueries queries;
  @Autowired JdbcClient jdbc;
  @Autowired JsonMapper json;
  @LocalServerPort int port;
  Api api;

  @BeforeEach
  void client() {
    api = new Api(port);
  }

  private UUID submitSweep() {
    Map<String, Object> sweep = new LinkedHashMap<>();
    sweep.put("gamma", List.of(0.1, 0.7));
    sweep.put("C", List.of(1, 10, 100));
    Api.Response accepted =
        api.post(
            "/api/v1/tasks",
            Tasks.function("def fit(C, gamma):\n    return C * gamma\n", "fit")
                .set("sweep", sweep)
                .build());
    assertThat(accepted.status()).as(accepted.text()).isEqualTo(202);
    return UUID.fromString(accepted.json().get("id").asString());
  }

  @Test
  void aSweepAcceptedNowStoresAndSendsItsAxes() {
    UUID id = submitSweep();

    Task task = queries.find(id).orElseThrow();
    assertThat(task.spec().sweepPayload()).isEqualTo(TaskSpec.SWEEP_AXES);
    assertThat(
            jdbc.sql("SELECT spec::text FROM task WHERE id = :id")
                .param("id", id)
                .query(String.class)
                .single())
        .as("the spec as stored is what the request gave")
        .doesNotContain("sweep_payload")
        .contains("\"sweep\":{\"gamma\":[0.1,0.7],\"C\":[1,10,100]}");
    JsonNode payload = json.readTree(TaskPayload.json(task, json));
    assertThat(payload.get("sweep").toString())
        .isEqualTo("{\"product\":{\"gamma\":[0.1,0.7],\"C\":[1,10,100]}}");
    assertThat(api.get("/api/v1/tasks/" + id).json().get("sweep").toString())
        .isEqualTo("{\"gamma\":[0.1,0.7],\"C\":[1,10,100]}");
  }

  @Test
  void aSweepStoredBeforeKeepsThePayloadThatListsEveryCombination() {
    UUID id = submitSweep();
    jdbc.sql("UPDATE task SET sweep_payload = NULL WHERE id = :id").param("id", id).update();

    Task task = queries.find(id).orElseThrow();

    assertThat(task.spec().sweepPayloadExpanded()).isTrue();
    assertThat(new String(TaskPayload.json(task, json), java.nio.charset.StandardCharsets.UTF_8))
        .as("the bytes the service wrote before payloads carried the axes")
        .isEqualTo(
            "{\"source\":\"def fit(C, gamma):\\n    return C * gamma\\n\",\"function\":\"fit\","
                + "\"args\":[],\"kwargs\":{},\"sweep\":["
                + "{\"gamma\":0.1,\"C\":1},{\"gamma\":0.1,\"C\":10},{\"gamma\":0.1,\"C\":100},"
                + "{\"gamma\":0.7,\"C\":1},{\"gamma\":0.7,\"C\":10},{\"gamma\":0.7,\"C\":100}]}");
  }
}
