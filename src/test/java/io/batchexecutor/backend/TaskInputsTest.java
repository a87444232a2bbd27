package io.batchexecutor.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskSpec;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** A workflow task's inputs are the dependencies its arguments refer to, not those it waits for. */
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
