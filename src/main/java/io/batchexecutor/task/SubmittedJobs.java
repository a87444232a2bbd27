package io.batchexecutor.task;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * A client's tasks whose job a backend holds: handed over (it has a job id) and not ended, counted
 * per execution profile, for the cap on how many one client may have submitted at once.
 */
@Repository
public class SubmittedJobs {

  private static final String[] HANDED_OVER = {
    TaskStatus.SUBMITTED.name(),
    TaskStatus.PENDING.name(),
    TaskStatus.RUNNABLE.name(),
    TaskStatus.STARTING.name(),
    TaskStatus.RUNNING.name()
  };

  private final JdbcClient jdbc;

  SubmittedJobs(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * How many of {@code owner}'s tasks on {@code backend} in {@code executionProfile} have a job
   * that has not ended, counted up to {@code atMost} (so that the count reads no more rows than
   * that, along {@code task_owner_status_created}).
   */
  public int count(String owner, String backend, String executionProfile, int atMost) {
    return jdbc.sql(
            """
            SELECT count(*) FROM (
                SELECT 1 FROM task
                WHERE owner = :owner AND status = ANY(:statuses) AND backend = :backend
                  AND batch_job_id IS NOT NULL
                  AND settings ->> 'execution_profile' IS NOT DISTINCT FROM :profile
                LIMIT :atMost) handed_over
            """)
        .param("owner", owner)
        .param("statuses", HANDED_OVER)
        .param("backend", backend)
        .param("profile", executionProfile)
        .param("atMost", atMost)
        .query(Integer.class)
        .single();
  }
}
