package io.batchexecutor.workflow;

import static io.batchexecutor.workflow.Workflows.ref;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.backend.ResultDigests;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.support.Api;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskError;
import io.batchexecutor.task.TaskRepository;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * For tests of workflows that run nothing: a workflow posted through the API, and its tasks ended
 * by writing their ends as the pipeline would, with their results stored in the object store.
 */
final class WorkflowEnds {

  /** The source of every task: it returns its arguments. */
  static final String ID = "def f(*a):\n    return a\n";

  private final Api api;
  private final JdbcClient jdbc;
  private final TaskRepository tasks;
  private final ObjectStores stores;
  private final Clock clock;

  WorkflowEnds(Api api, JdbcClient jdbc, TaskRepository tasks, ObjectStores stores, Clock clock) {
    this.api = api;
    this.jdbc = jdbc;
    this.tasks = tasks;
    this.stores = stores;
    this.clock = clock;
  }

  /** a → b → c → d, posted. */
  JsonNode chain() {
    Api.Response response =
        api.post(
            "/api/v1/workflows",
            Workflows.named("chain")
                .task("a", ID, "f", List.of(1))
                .task("b", ID, "f", List.of(ref("a")))
                .task("c", ID, "f", List.of(ref("b")))
                .task("d", ID, "f", List.of(ref("c")))
                .build());
    assertThat(response.status()).as(response.text()).isEqualTo(202);
    return response.json();
  }

  static UUID idOf(JsonNode workflow, String key) {
    return UUID.fromString(workflow.get("tasks").get(key).get("id").asString());
  }

  void running(UUID id) {
    jdbc.sql("UPDATE task SET status = 'RUNNING' WHERE id = :id").param("id", id).update();
  }

  void running(JsonNode workflow, String key) {
    running(idOf(workflow, key));
  }

  /** Ends the task SUCCEEDED with {@code value} as its result, as the pipeline would. */
  URI succeed(JsonNode workflow, String key, String value) {
    running(workflow, key);
    return succeedRunning(idOf(workflow, key), value);
  }

  URI succeedRunning(UUID id, String value) {
    return succeedRunning(id, id, value);
  }

  /** Ends the task SUCCEEDED with its result stored under task {@code holder}'s prefix. */
  URI succeedRunning(UUID id, UUID holder, String value) {
    Task task = tasks.find(id).orElseThrow();
    Task holding = tasks.find(holder).orElseThrow();
    byte[] document = ("{\"value\": " + value + "}").getBytes(StandardCharsets.UTF_8);
    URI pointer =
        stores
            .primary()
            .put(
                holding.settings().s3BucketName(),
                holding.objectPrefix() + "result.json",
                document);
    task.resultsCollected(ResultDigests.of(Map.of("result.json", document)));
    task.succeed(pointer.toString(), 0, clock.instant());
    assertThat(tasks.update(task)).isTrue();
    return pointer;
  }

  /** Ends the task FAILED, its function having raised. */
  void fail(JsonNode workflow, String key) {
    running(workflow, key);
    Task task = tasks.find(idOf(workflow, key)).orElseThrow();
    task.fail("broken", new TaskError("ValueError", "broken", null), 1, null, clock.instant());
    assertThat(tasks.update(task)).isTrue();
  }

  /** The tasks and workflows stored. */
  long rows() {
    return jdbc.sql("SELECT (SELECT count(*) FROM task) + (SELECT count(*) FROM workflow)")
        .query(Long.class)
        .single();
  }
}
