package io.batchexecutor.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchexecutor.support.TaskBuilder;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TaskObjectsTest {

  @Test
  void aNewTasksKeysCarryItsClient() {
    Task task = TaskBuilder.aTask().owner("team-a").build();

    assertThat(TaskObjects.key(task, "result.json"))
        .isEqualTo("batch-executor/team-a/" + task.id() + "/result.json");
    assertThat(task.objectPrefix()).isEqualTo("batch-executor/team-a/" + task.id() + "/");
  }

  @Test
  void aTaskStoredBeforeKeysCarriedTheClientKeepsItsLayout() {
    TaskFields fields = new TaskFields();
    fields.id = UUID.randomUUID();
    fields.owner = "team-a";
    fields.status = TaskStatus.SUCCEEDED;
    Task stored = fields.build(); // as read from a row whose object_prefix is NULL

    assertThat(TaskObjects.key(stored, "payload.json"))
        .isEqualTo("batch-executor/tasks/" + stored.id() + "/payload.json");
  }

  @Test
  void noClientNameReachesIntoAnotherPrefix() {
    assertThat(TaskObjects.segment("team_a.1")).isEqualTo("team_a.1");
    assertThat(TaskObjects.segment("../b")).isEqualTo("%2E%2E%2Fb");
    assertThat(TaskObjects.segment("a/b")).isEqualTo("a%2Fb");
    assertThat(TaskObjects.segment("a..b")).doesNotContain("..");
    assertThat(TaskObjects.segment("tasks"))
        .as("never the earlier layout's prefix")
        .isEqualTo("%74asks");
    assertThat(TaskObjects.segment("tasks")).isNotEqualTo("tasks");
  }

  @Test
  void theRunnersFilesAreNamedBesideItsResultAndNothingElseIsTakenForAResult() {
    String result = "s3://bucket/batch-executor/acme/0190/result.json";

    assertThat(TaskObjects.besideResult(result, TaskObjects.PICKLE))
        .isEqualTo("s3://bucket/batch-executor/acme/0190/result.pickle");
    assertThat(TaskObjects.besideResult(result, ""))
        .isEqualTo("s3://bucket/batch-executor/acme/0190/");
    assertThat(TaskObjects.isResult("s3://bucket/batch-executor/acme/0190/logs.txt")).isFalse();
    assertThat(TaskObjects.isResult(null)).isFalse();
    assertThatThrownBy(() -> TaskObjects.besideResult("s3://bucket/x/logs.txt", TaskObjects.PICKLE))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
