package io.batchexecutor.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.storage.LocalObjectStore;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.task.FileTransfer;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * The staging of a task's uploads when it is prepared: an upload that is gone (deleted after the
 * task was accepted) fails the task naming it and its path, and a task without uploads stages
 * nothing.
 */
class StageUploadsTest {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final String ID = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";

  @TempDir Path dir;

  @Test
  void anUploadThatIsGoneFailsTheTaskNamingIt() {
    LocalObjectStore store = new LocalObjectStore(dir);
    StageUploads stage = new StageUploads(new ObjectStores(store, List.of(store)), null);
    Task task =
        task(
            List.of(
                new FileTransfer("/tmp/in.csv", null, ID, null),
                new FileTransfer("/tmp/out.csv", FileTransfer.AFTER, null, null)));

    assertThatThrownBy(() -> stage.stage(task))
        .isInstanceOf(StageUploads.UploadGoneException.class)
        .hasMessageContaining(ID)
        .hasMessageContaining("/tmp/in.csv");
  }

  @Test
  void aTaskWithoutUploadsStagesNothing() throws Exception {
    LocalObjectStore store = new LocalObjectStore(dir);
    StageUploads stage = new StageUploads(new ObjectStores(store, List.of(store)), null);

    stage.stage(task(List.of(new FileTransfer("/tmp/out.csv", FileTransfer.AFTER, null, null))));
    stage.stage(task(null));

    try (Stream<Path> stored = Files.walk(dir)) {
      assertThat(stored.filter(Files::isRegularFile)).isEmpty();
    }
  }

  private static Task task(List<FileTransfer> files) {
    return Task.accept(
        UUID.randomUUID(),
        "tester",
        "test",
        new TaskSpec(
                new TaskSpec.FunctionSpec("def task():\n    return 1\n", "task"),
                JSON.createArrayNode(),
                JSON.createObjectNode(),
                null,
                null)
            .withFiles(files),
        new TaskSettings(
            null, "bucket", "repo", "jobs", "queue", "exec", "job", "logs", 2.0, 3.75, 0, 3, 300,
            10, null, null, null),
        "local",
        Instant.parse("2026-01-01T00:00:00Z"));
  }
}
