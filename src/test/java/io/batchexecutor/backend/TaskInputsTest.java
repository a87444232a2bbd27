package io.batchexecutor.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.storage.LocalObjectStore;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.task.FileTransfer;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskObjects;
import io.batchexecutor.task.TaskSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * A workflow task's inputs are the dependencies its arguments refer to, not those it waits for; a
 * task's staged upload that is gone fails it as an upload not found.
 */
class TaskInputsTest {

  static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void aDependencyOnlyWaitedForIsNoInput() {
    UUID data = UUID.randomUUID();
    UUID sideEffect = UUID.randomUUID();
    Map<String, UUID> dependsOn = new LinkedHashMap<>();
    dependsOn.put("data", data);
    dependsOn.put("side_effect", sideEffect);
    Task task = inWorkflow(List.of(Map.of("$task", "data")), dependsOn);

    assertThat(TaskInputs.inputs(task)).containsExactly(Map.entry("data", data));
    assertThat(TaskInputs.containerLocations(task))
        .containsOnlyKeys("data")
        .containsEntry("data", TaskInputs.CONTAINER_DIR + "/data");
  }

  @Test
  void aTaskThatOnlyWaitsTakesNothing() {
    Task task = inWorkflow(List.of(1), Map.of("side_effect", UUID.randomUUID()));

    assertThat(TaskInputs.inputs(task)).isEmpty();
    assertThat(TaskInputs.containerLocations(task)).isEmpty();
  }

  @Test
  void aReferenceInsideAPathsOperandIsAnInputToo() {
    UUID index = UUID.randomUUID();
    UUID list = UUID.randomUUID();
    Task task =
        inWorkflow(
            List.of(
                Map.of("$task", "list", "path", List.of(Map.of("index", Map.of("$task", "i"))))),
            Map.of("list", list, "i", index));

    assertThat(TaskInputs.inputs(task)).containsOnlyKeys("list", "i");
  }

  @Test
  void aStagedUploadThatIsGoneIsNamedWithItsPathForTheTaskToFail(@TempDir Path dir) {
    LocalObjectStore store = new LocalObjectStore(dir);
    TaskInputs inputs = new TaskInputs(null, new ObjectStores(store, List.of(store)), JSON);
    String kept = "a".repeat(64);
    String gone = "b".repeat(64);
    Task task =
        Task.accept(
            UUID.randomUUID(),
            "tester",
            "t",
            new TaskSpec(
                    new TaskSpec.FunctionSpec("def f():\n    return 1\n", "f"),
                    JSON.createArrayNode(),
                    JSON.createObjectNode(),
                    null,
                    null)
                .withFiles(
                    List.of(
                        new FileTransfer("/tmp/kept.csv", null, kept, null),
                        new FileTransfer("/tmp/gone.csv", null, gone, null))),
            new TaskSettings(
                null, "bucket", "repo", "jobs", "queue", "exec", "job", "logs", 2.0, 3.75, 0, 3,
                300, 10, null, null, null),
            "local",
            Instant.parse("2026-01-01T00:00:00Z"));
    store.put("bucket", TaskObjects.key(task, TaskInputs.UPLOADS + "/" + kept), new byte[] {1});

    assertThatThrownBy(() -> inputs.uploads(task))
        .isInstanceOf(TaskInputs.UploadGoneException.class)
        .hasMessageContaining(gone)
        .hasMessageContaining("/tmp/gone.csv")
        .hasMessageNotContaining(dir.toString());

    store.put("bucket", TaskObjects.key(task, TaskInputs.UPLOADS + "/" + gone), new byte[] {2});
    assertThat(inputs.uploads(task)).containsOnlyKeys(kept, gone);
    TaskInputs.failUploadGone(
        task, new TaskInputs.UploadGoneException("gone"), Instant.parse("2026-01-01T00:00:01Z"));
    assertThat(task.error().type()).isEqualTo("UploadNotFound");
  }

  private static Task inWorkflow(List<?> args, Map<String, UUID> dependsOn) {
    return Task.acceptInWorkflow(
        UUID.randomUUID(),
        "tester",
        "t",
        new TaskSpec(
            new TaskSpec.FunctionSpec("def f(*a):\n    return a\n", "f"),
            JSON.valueToTree(args),
            JSON.createObjectNode(),
            null,
            null),
        new TaskSettings(
            null, "bucket", "repo", "jobs", "queue", "exec", "job", "logs", 2.0, 3.75, 0, 3, 300,
            10, null, null, null),
        "none",
        Instant.parse("2026-01-01T00:00:00Z"),
        UUID.randomUUID(),
        "t",
        dependsOn,
        true);
  }
}
