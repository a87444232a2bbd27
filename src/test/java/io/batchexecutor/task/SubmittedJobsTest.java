package io.batchexecutor.task;

import static io.batchexecutor.support.TaskBuilder.aTask;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.support.ServiceTest;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The count behind the cap on a client's submitted jobs, on the real PostgreSQL. */
@ServiceTest
class SubmittedJobsTest {

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Autowired TaskRepository tasks;
  @Autowired SubmittedJobs submitted;
  @Autowired JdbcClient jdbc;

  @BeforeEach
  void empty() {
    jdbc.sql("DELETE FROM task").update();
  }

  @Test
  void countsAClientsUnfinishedJobsInOneProfileUpToTheCap() {
    for (int i = 0; i < 3; i++) {
      task("team-a", "gpu", "RUNNING", "job-a" + i);
    }
    task("team-a", "gpu", "RUNNABLE", "job-a3");
    task("team-a", "gpu", "SUCCEEDED", "job-a4"); // ended
    task("team-a", "gpu", "REGISTERING", null); // not submitted yet
    task("team-a", "cpu", "RUNNING", "job-a5"); // another profile
    task("team-b", "gpu", "RUNNING", "job-b0"); // another client

    assertThat(submitted.count("team-a", "awsbatch", "gpu", 100)).isEqualTo(4);
    assertThat(submitted.count("team-a", "awsbatch", "gpu", 2)).isEqualTo(2);
    assertThat(submitted.count("team-a", "awsbatch", "cpu", 100)).isOne();
    assertThat(submitted.count("team-b", "awsbatch", "gpu", 100)).isOne();
    assertThat(submitted.count("team-a", "local", "gpu", 100)).isZero();
  }

  private void task(String owner, String profile, String status, String jobId) {
    Task task =
        aTask()
            .owner(owner)
            .backend("awsbatch")
            .settings(
                new TaskSettings(
                    profile, null, null, null, null, null, null, null, null, null, null, null, null,
                    null, null, null, null))
            .acceptedAt(T0)
            .build();
    tasks.insert(task, null, null);
    // setup only: the statuses a job reaches on Batch, written directly
    jdbc.sql("UPDATE task SET status = :status, batch_job_id = :job WHERE id = :id")
        .param("status", status)
        .param("job", jobId)
        .param("id", task.id())
        .update();
  }
}
