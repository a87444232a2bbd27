package io.batchexecutor.task;

import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Makes the tasks a backend's poller watches due earlier, by their job ids: what a job's
 * state-change event asks for. Only when the task is due: nothing of the task but its next poll
 * changes, and never later than it was, so a wake-up can only hasten a poll, whoever sent it.
 */
@Repository
public class WatchedJobWakeUps {

  /**
   * What a wake-up found: the job ids whose task is due by then ({@code woken}), and those whose
   * task a poller holds right now ({@code leased}): its poll may have read the job before the
   * event, so the wake-up is worth trying again once the lease is given back. A job id in neither
   * is no watched task's (unknown, or its task already ended).
   */
  public record Woken(Set<String> woken, Set<String> leased) {

    public Woken {
      woken = Set.copyOf(woken);
      leased = Set.copyOf(leased);
    }
  }

  private final JdbcClient jdbc;

  WatchedJobWakeUps(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Makes the watched tasks of the jobs in {@code at} (job id to the time its task should be due)
   * due by that time, in one statement.
   */
  public Woken wake(WatchedTasks watched, Map<String, Instant> at) {
    if (at.isEmpty() || watched.statuses().isEmpty()) {
      return new Woken(Set.of(), Set.of());
    }
    String[] jobs = at.keySet().toArray(String[]::new);
    String[] times = new String[jobs.length];
    for (int i = 0; i < jobs.length; i++) {
      times[i] = at.get(jobs[i]).toString();
    }
    Set<String> woken = new HashSet<>();
    Set<String> leased = new HashSet<>();
    jdbc.sql(
            """
            WITH wake AS (
                SELECT job, CAST(at AS timestamptz) AS at
                FROM unnest(CAST(:jobs AS text[]), CAST(:times AS text[])) AS w(job, at)),
            found AS (
                SELECT task.id, task.batch_job_id, task.lease_owner IS NOT NULL AS leased, wake.at
                FROM task JOIN wake ON task.batch_job_id = wake.job
                WHERE %s),
            woken AS (
                UPDATE task SET next_run_at = LEAST(task.next_run_at, found.at)
                FROM found
                WHERE task.id = found.id AND NOT found.leased AND task.lease_owner IS NULL
                RETURNING task.batch_job_id)
            SELECT batch_job_id, leased, batch_job_id IN (SELECT batch_job_id FROM woken) AS woken
            FROM found
            """
                .formatted(ClaimInTurns.WATCHED))
        .param("jobs", jobs)
        .param("times", times)
        .param("watchedBackend", watched.backend())
        .param("watchedStatuses", watched.statusNames())
        .query(
            (java.sql.ResultSet rs) -> {
              if (rs.getBoolean("woken")) {
                woken.add(rs.getString("batch_job_id"));
              } else if (rs.getBoolean("leased")) {
                leased.add(rs.getString("batch_job_id"));
              }
            });
    return new Woken(woken, leased);
  }
}
