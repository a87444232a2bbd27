package io.batchexecutor.task;

import static io.batchexecutor.support.TaskBuilder.aTask;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.ServiceTest;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** A job event's wake-up of its watched task, on the real PostgreSQL. */
@ServiceTest
class WatchedJobWakeUpsTest {

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final WatchedTasks WATCHED =
      new WatchedTasks("awsbatch", EnumSet.of(TaskStatus.SUBMITTED, TaskStatus.RUNNING));

  @Autowired TaskRepository tasks;
  @Autowired WatchedJobWakeUps wakeUps;
  @Autowired JdbcClient jdbc;

  @BeforeEach
  void empty() {
    jdbc.sql("DELETE FROM task").update();
  }

  @Test
  void onlyWatchedTasksAreMadeDueNeverLaterAndAHeldOneIsSaidSo() {
    UUID running = task("RUNNING", "job-1", T0.plusSeconds(60), null);
    UUID later = task("RUNNING", "job-2", T0.plusSeconds(60), null);
    UUID soon = task("RUNNING", "job-3", T0.plusSeconds(1), null);
    UUID held = task("RUNNING", "job-4", T0.plusSeconds(60), "other/batch-poller");
    UUID ended = task("SUCCEEDED", "job-5", T0.plusSeconds(60), null);

    WatchedJobWakeUps.Woken woken =
        wakeUps.wake(
            WATCHED,
            Map.of(
                "job-1", T0,
                "job-2", T0.plusSeconds(5),
                "job-3", T0.plusSeconds(5),
                "job-4", T0,
                "job-5", T0,
                "no-such-job", T0));

    assertThat(woken.woken()).containsExactlyInAnyOrder("job-1", "job-2", "job-3");
    assertThat(woken.leased()).containsExactly("job-4");
    assertThat(due(running)).isEqualTo(T0);
    assertThat(due(later)).isEqualTo(T0.plusSeconds(5));
    assertThat(due(soon)).as("never later than it was").isEqualTo(T0.plusSeconds(1));
    assertThat(due(held)).as("the holder's release decides").isEqualTo(T0.plusSeconds(60));
    assertThat(due(ended)).isEqualTo(T0.plusSeconds(60));
  }

  private UUID task(String status, String jobId, Instant due, String leaseOwner) {
    Task task = aTask().backend("awsbatch").acceptedAt(T0).build();
    tasks.insert(task, null, null);
    // setup only: a job handed over to Batch, written directly
    jdbc.sql(
            """
            UPDATE task SET status = :status, batch_job_id = :job, next_run_at = :due,
                   lease_owner = :owner, lease_expires_at = :expires
            WHERE id = :id
            """)
        .param("status", status)
        .param("job", jobId)
        .param("due", java.time.OffsetDateTime.ofInstant(due, java.time.ZoneOffset.UTC))
        .param("owner", leaseOwner)
        .param(
            "expires",
            leaseOwner == null
                ? null
                : java.time.OffsetDateTime.ofInstant(due, java.time.ZoneOffset.UTC))
        .param("id", task.id())
        .update();
    return task.id();
  }

  private Instant due(UUID id) {
    return jdbc.sql("SELECT next_run_at FROM task WHERE id = :id")
        .param("id", id)
        .query(java.time.OffsetDateTime.class)
        .single()
        .toInstant();
  }
}
