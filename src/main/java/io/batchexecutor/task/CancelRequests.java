package io.batchexecutor.task;

import static io.batchexecutor.task.TaskRows.ts;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Cancel requests on tasks: a request marks the task, makes it due at once (so that whoever holds
 * it in the {@link WorkQueue} hears of it) and tells its holder through NOTIFY; a WAITING task,
 * which nobody holds, is ended here.
 */
@Repository
public class CancelRequests {

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final TaskRows rows;
  private final TaskEventRows eventRows;
  private final ObjectProvider<TaskRepository> tasks;

  CancelRequests(
      JdbcClient jdbc,
      TransactionTemplate tx,
      TaskRows rows,
      TaskEventRows eventRows,
      ObjectProvider<TaskRepository> tasks) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.rows = rows;
    this.eventRows = eventRows;
    this.tasks = tasks;
  }

  /**
   * Marks a task for cancellation (a client's request) and tells its holder.
   *
   * @return false when the task is final already or no longer exists
   */
  public boolean request(UUID id, Instant at) {
    return request(id, at, null);
  }

  /**
   * Marks a task for cancellation with {@code reason} (null: the client asked), makes it due at
   * once and tells its holder; in the caller's transaction, if there is one.
   */
  public boolean request(UUID id, Instant at, String reason) {
    return Boolean.TRUE.equals(tx.execute(status -> markCancel(id, at, reason)));
  }

  private boolean markCancel(UUID id, Instant at, String reason) {
    // the workflow's row before the task's, as every end in a workflow takes them
    jdbc.sql(
            """
            SELECT w.id FROM task t JOIN workflow w ON w.id = t.workflow_id
            WHERE t.id = :id FOR UPDATE OF w
            """)
        .param("id", id)
        .query()
        .listOfRows();
    Optional<TaskStatus> current =
        jdbc.sql(
                """
                UPDATE task SET cancel_requested_at = coalesce(cancel_requested_at, :at),
                       cancel_reason = coalesce(cancel_reason, :reason),
                       next_run_at = least(next_run_at, :at)
                WHERE id = :id AND %s
                RETURNING status
                """
                    .formatted(TaskRows.NOT_FINAL))
            .param("at", ts(at))
            .param("reason", reason)
            .param("id", id)
            .query((rs, n) -> TaskStatus.valueOf(rs.getString(1)))
            .optional();
    if (current.isEmpty()) {
      return false;
    }
    eventRows.insertEvents(
        id,
        List.of(
            new TaskEvent(
                at,
                EventKind.CANCEL_REQUESTED,
                current.get(),
                current.get(),
                reason == null ? "cancel requested" : "cancel requested: " + reason,
                Map.of())));
    rows.pgNotify(TaskNotifications.CANCEL_CHANNEL, id.toString());
    if (current.get() == TaskStatus.WAITING) {
      // ended here, with what waits below it: no worker claims a WAITING task, and one with a
      // cancel request is never queued, so nothing else would end it
      Task waiting =
          jdbc.sql("SELECT * FROM task WHERE id = :id").param("id", id).query(rows.task).single();
      waiting.cancel(reason == null ? "cancelled while it waited" : reason, at);
      tasks.getObject().update(waiting);
    }
    return true;
  }
}
