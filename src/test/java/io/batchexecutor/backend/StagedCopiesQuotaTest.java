package io.batchexecutor.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Sha256;
import io.batchexecutor.task.FileTransfer;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskObjects;
import io.batchexecutor.task.TaskSpec;
import io.batchexecutor.task.UploadedFiles;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * A task's copy of an upload, staged when it is prepared, is counted in its client's quota before
 * it is written: within the quota the copy is written beside the payload; past it the task fails
 * ({@code UploadQuotaExceeded}) and nothing is copied.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.files.max-file-size=16B",
      "batch-executor.files.max-bytes-per-client=40B",
      "batch-executor.files.max-per-task=3"
    })
class StagedCopiesQuotaTest {

  static final JsonMapper JSON = JsonMapper.builder().build();

  @Autowired UploadedFiles uploads;
  @Autowired ObjectStores stores;
  @Autowired JdbcClient jdbc;

  @Test
  void aCopyPastTheQuotaFailsTheTaskAndIsNotWritten() {
    String owner = "stager-" + UUID.randomUUID();
    byte[] data = "sixteen bytes!!!".getBytes(StandardCharsets.UTF_8);
    String id = Sha256.hex(data);
    assertThat(uploads.store(owner, data)).isInstanceOf(UploadedFiles.Accepted.class);
    StageUploads stage = new StageUploads(stores, uploads);
    Task first = stored(owner, id);
    Task second = stored(owner, id);

    stage.stage(first);
    assertThat(stores.get(copyOf(first, id))).hasValue(data);
    assertThat(uploads.used(owner)).isEqualTo(32);

    assertThatThrownBy(() -> stage.stage(second))
        .isInstanceOfSatisfying(
            StageUploads.UploadGoneException.class,
            e -> assertThat(e.kind()).isEqualTo("UploadQuotaExceeded"))
        .hasMessageContaining("batch-executor.files.max-bytes-per-client");
    assertThat(stores.get(copyOf(second, id))).isEmpty();
    assertThat(uploads.used(owner)).isEqualTo(32);
  }

  private String copyOf(Task task, String id) {
    return stores
        .primary()
        .locate(task.settings().s3BucketName(), TaskObjects.key(task, "uploads/" + id))
        .toString();
  }

  private Task stored(String owner, String id) {
    Task task =
        Task.accept(
            UUID.randomUUID(),
            owner,
            "files",
            new TaskSpec(
                    new TaskSpec.FunctionSpec("def task():\n    return 1\n", "task"),
                    JSON.createArrayNode(),
                    JSON.createObjectNode(),
                    null,
                    null)
                .withFiles(List.of(new FileTransfer("/tmp/in.csv", null, id, null))),
            new TaskSettings(
                null, "bucket", "repo", "jobs", "queue", "exec", "job", "logs", 2.0, 3.75, 0, 3,
                300, 10, null, null, null),
            "none",
            Instant.parse("2026-01-01T00:00:00Z"));
    jdbc.sql(
            """
            INSERT INTO task (id, owner, name, status, spec, settings, backend, next_run_at,
                              created_at, updated_at)
            VALUES (:id, :owner, 't', 'QUEUED', '{}', '{}', 'none',
                    timestamptz '2026-01-01', timestamptz '2026-01-01', timestamptz '2026-01-01')
            """)
        .param("id", task.id())
        .param("owner", owner)
        .update();
    return task;
  }
}
