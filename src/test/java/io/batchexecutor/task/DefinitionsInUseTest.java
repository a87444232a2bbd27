package io.batchexecutor.task;

import static io.batchexecutor.support.TaskBuilder.aTask;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.ServiceTest;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Which job definition revisions tasks refer to, for the AWS clean-up, on the real PostgreSQL. */
@ServiceTest
class DefinitionsInUseTest {

  static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

  @Autowired TaskRepository tasks;
  @Autowired DefinitionsInUse inUse;
  @Autowired JdbcClient jdbc;

  @BeforeEach
  void empty() {
    jdbc.sql("DELETE FROM task").update();
  }

  @Test
  void aRevisionIsInUseWhileATaskOnItIsUnfinishedOrEndedRecently() {
    task("arn:old", NOW.minus(Duration.ofDays(30)));
    task("arn:old", NOW.minus(Duration.ofDays(9)));
    task("arn:recent", NOW.minus(Duration.ofDays(30)));
    task("arn:recent", NOW.minus(Duration.ofHours(2)));
    task("arn:running", null);
    List<String> all = List.of("arn:old", "arn:recent", "arn:running", "arn:unknown");

    assertThat(inUse.referenced(all))
        .containsExactlyInAnyOrder("arn:old", "arn:recent", "arn:running");
    assertThat(inUse.inUseSince(all, NOW.minus(Duration.ofDays(7))))
        .containsExactlyInAnyOrder("arn:recent", "arn:running");
    assertThat(inUse.referenced(List.of())).isEmpty();
  }

  private void task(String arn, Instant finishedAt) {
    Task task = aTask().backend("awsbatch").acceptedAt(NOW.minus(Duration.ofDays(60))).build();
    tasks.insert(task, null, null);
    // setup only: a registered task, ended or not, written directly
    jdbc.sql(
            "UPDATE task SET job_definition_arn = :arn, finished_at = :finished,"
                + " status = :status WHERE id = :id")
        .param("arn", arn)
        .param("finished", finishedAt == null ? null : Timestamp.from(finishedAt))
        .param("status", finishedAt == null ? "RUNNING" : "SUCCEEDED")
        .param("id", task.id())
        .update();
  }
}
