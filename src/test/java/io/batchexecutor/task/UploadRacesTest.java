package io.batchexecutor.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchexecutor.config.ExecutorSettingsResolver;
import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Sha256;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;

/**
 * An upload and a deletion of the same bytes at once, and the copies tasks keep: each race is set
 * up in the order that used to lose (one party held at the lock of the client's uploads by a
 * transaction of the test's own), and every row must end with its object; a task's copy counts in
 * its client's quota until the task is deleted.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.files.max-file-size=16B",
      "batch-executor.files.max-bytes-per-client=40B",
      "batch-executor.files.max-per-task=3"
    })
class UploadRacesTest {

  @Autowired UploadedFiles uploads;
  @Autowired ObjectStores stores;
  @Autowired DataSource dataSource;
  @Autowired JdbcClient jdbc;
  @Autowired ExecutorSettingsResolver settings;

  @Test
  void anUploadWhoseObjectIsRemovedWhileItWaitsForTheLockWritesItAgain() throws Exception {
    String owner = "race-" + UUID.randomUUID();
    byte[] data = "same bytes".getBytes(StandardCharsets.UTF_8);
    String id = Sha256.hex(data);

    CompletableFuture<UploadedFiles.Stored> stored;
    try (Connection held = holdLockOf(owner)) {
      stored = CompletableFuture.supplyAsync(() -> uploads.store(owner, data));
      awaitAdvisoryWait();
      // a deletion (or a refused upload) of the same bytes removes the object meanwhile
      stores.deleteUnder(objectPrefix(owner, id));
      assertThat(uploads.find(owner, id)).as("no row yet: the upload waits").isEmpty();
      held.rollback();
    }

    assertThat(stored.get(10, TimeUnit.SECONDS)).isInstanceOf(UploadedFiles.Accepted.class);
    assertThat(uploads.bytes(owner, id)).as("the row has its object").hasValue(data);
  }

  @Test
  void aDeletionWaitsForTheLockAndRemovesItsObjectBeforeItsRowIsGone() throws Exception {
    String owner = "race-" + UUID.randomUUID();
    byte[] data = "to delete".getBytes(StandardCharsets.UTF_8);
    String id = Sha256.hex(data);
    assertThat(uploads.store(owner, data)).isInstanceOf(UploadedFiles.Accepted.class);

    CompletableFuture<Boolean> deleted;
    try (Connection held = holdLockOf(owner)) {
      deleted = CompletableFuture.supplyAsync(() -> uploads.delete(owner, id));
      awaitAdvisoryWait();
      assertThat(uploads.bytes(owner, id))
          .as("the deletion waits for the lock of the client's uploads")
          .hasValue(data);
      held.rollback();
    }

    assertThat(deleted.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(uploads.find(owner, id)).isEmpty();
    assertThat(stores.get(objectPrefix(owner, id) + "file")).isEmpty();
    assertThat(uploads.used(owner)).isZero();
  }

  @Test
  void aTasksCopyCountsInTheQuotaUntilTheTaskIsDeleted() {
    String owner = "copies-" + UUID.randomUUID();
    byte[] data = "sixteen bytes!!!".getBytes(StandardCharsets.UTF_8);
    String id = Sha256.hex(data);
    assertThat(uploads.store(owner, data)).isInstanceOf(UploadedFiles.Accepted.class);
    UUID first = aTask(owner);
    UUID second = aTask(owner);

    assertThat(uploads.countCopy(owner, first, id)).isEqualTo(UploadedFiles.Copy.COUNTED);
    assertThat(uploads.countCopy(owner, first, id))
        .as("counted once however often it is tried")
        .isEqualTo(UploadedFiles.Copy.COUNTED);
    assertThat(uploads.used(owner)).isEqualTo(32);
    assertThat(uploads.countCopy(owner, second, id))
        .as("48 bytes would pass the quota of 40")
        .isEqualTo(UploadedFiles.Copy.OVER_QUOTA);
    assertThat(uploads.countCopy(owner, second, "0".repeat(64))).isEqualTo(UploadedFiles.Copy.GONE);

    jdbc.sql("DELETE FROM task WHERE id = :id").param("id", first).update();
    assertThat(uploads.used(owner)).as("the copy goes with its task").isEqualTo(16);
    assertThat(uploads.countCopy(owner, second, id)).isEqualTo(UploadedFiles.Copy.COUNTED);
  }

  private UUID aTask(String owner) {
    UUID id = UUID.randomUUID();
    jdbc.sql(
            """
            INSERT INTO task (id, owner, name, status, spec, settings, backend, next_run_at,
                              created_at, updated_at)
            VALUES (:id, :owner, 't', 'QUEUED', '{}', '{}', 'none',
                    timestamptz '2026-01-01', timestamptz '2026-01-01', timestamptz '2026-01-01')
            """)
        .param("id", id)
        .param("owner", owner)
        .update();
    return id;
  }

  private String objectPrefix(String owner, String id) {
    return stores
        .primary()
        .locate(
            settings.resolve(TaskSettings.none()).s3BucketName(),
            UploadedFiles.PREFIX + owner + "/" + id + "/")
        .toString();
  }

  private Connection holdLockOf(String owner) throws Exception {
    Connection held = dataSource.getConnection();
    held.setAutoCommit(false);
    try (PreparedStatement s =
        held.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
      s.setString(1, "uploaded_file:" + owner);
      s.execute();
    }
    return held;
  }

  private void awaitAdvisoryWait() {
    await("a session waiting for the lock of the client's uploads")
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(20))
        .until(
            () ->
                jdbc.sql(
                            """
                        SELECT count(*) FROM pg_stat_activity
                        WHERE datname = current_database() AND wait_event = 'advisory'
                        """)
                        .query(Long.class)
                        .single()
                    > 0);
  }
}
