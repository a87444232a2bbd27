package io.batchexecutor.task;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What a step writes at once of a task this instance holds, outside the version check that {@link
 * TaskRepository#update} makes: how it is getting on, and events that cannot wait for the step's
 * end. Each write names the lease owner, so nothing is written once the lease is gone.
 */
@Component
public class HeldTasks {

  private final JdbcClient jdbc;
  private final TaskEventRows eventRows;

  HeldTasks(JdbcClient jdbc, TaskEventRows eventRows) {
    this.jdbc = jdbc;
    this.eventRows = eventRows;
  }

  /**
   * Sets the status reason of a task this instance holds, without taking part in the version check:
   * a step that runs long says how it is getting on, and its own write at the end (which reads the
   * version from before) still goes through. Nothing is written once the lease is gone.
   */
  public void progress(UUID id, String leaseOwner, String reason, Instant at) {
    jdbc.sql(
            """
            UPDATE task SET status_reason = :reason, updated_at = :at
            WHERE id = :id AND lease_owner = :owner
            """)
        .param("reason", reason)
        .param("at", TaskRows.ts(at))
        .param("id", id)
        .param("owner", leaseOwner)
        .update();
  }

  /**
   * Adds one event to the history of a task this instance holds, outside the version check, as
   * {@link #progress} does; nothing is written once the lease is gone.
   */
  public void recordNow(UUID id, String leaseOwner, TaskEvent event) {
    Map<String, Object> row = eventRows.eventParams(id, event);
    row.put("owner", leaseOwner);
    jdbc.sql(
            """
            INSERT INTO task_event (task_id, at, kind, from_status, to_status, reason, details)
            SELECT id, :at, :kind, :from, :to, :reason, CAST(:details AS jsonb)
            FROM task WHERE id = :task AND lease_owner = :owner
            """)
        .params(row)
        .update();
  }
}
