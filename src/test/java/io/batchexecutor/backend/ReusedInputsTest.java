package io.batchexecutor.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.task.ReusedTask;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskSpec;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;

/** A dependency that reused an earlier result is read where that result is, on AWS Batch too. */
class ReusedInputsTest {

  static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");
  static final TaskSettings SETTINGS =
      new TaskSettings(
          null, "bucket", null, null, null, null, null, null, null, null, null, null, null, null,
          null, null, null);

  @Test
  void aReusedDependencyIsReadUnderThePrefixOfTheTaskThatComputedIt() {
    TaskSpec spec =
        new TaskSpec(
            new TaskSpec.FunctionSpec("def f():\n    return 1\n", "f"),
            JsonNodeFactory.instance.arrayNode(),
            JsonNodeFactory.instance.objectNode(),
            null);
    Task ran = Task.accept(UUID.randomUUID(), "tester", "a", spec, SETTINGS, "awsbatch", AT);
    String prefix = "s3://bucket/batch-executor/tester/" + ran.id() + "/";
    ran.startBuilding(AT);
    ran.submittedAsJob("job-1", "AWS Batch", AT);
    ran.succeed(prefix + "result.json", 0, AT);
    Task reused =
        ReusedTask.of(
            UUID.randomUUID(), ran, spec, "awsbatch", AT, UUID.randomUUID(), "a", Map.of());

    assertThat(reused.reusedFrom()).isEqualTo(ran.id());
    assertThat(reused.resultPointer()).isEqualTo(ran.resultPointer());
    assertThat(TaskInputs.s3Locations(Map.of("a", reused))).containsEntry("a", prefix);
    assertThat(TaskInputs.s3Locations(Map.of("a", ran))).containsEntry("a", prefix);
    Task again =
        ReusedTask.of(
            UUID.randomUUID(), reused, spec, "awsbatch", AT, UUID.randomUUID(), "a", Map.of());
    assertThat(again.reusedFrom())
        .as("the task that computed it, not the one between")
        .isEqualTo(ran.id());
  }
}
