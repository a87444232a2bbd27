package io.batchexecutor.task;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What a workflow task's end means for the tasks that depend on it, in the transaction that records
 * the end. SUCCEEDED: every WAITING task whose dependencies have now all succeeded is QUEUED.
 * FAILED or CANCELLED: every task below it (transitively) is cancelled, naming it — at once when
 * WAITING, through a cancel request (which stops its container or Batch job) when it is further
 * along. Each change goes through {@link Task}'s transitions and is written with its events like
 * any other; the caller holds the workflow's row (locked before the task's), so that two
 * dependencies ending at the same moment cannot each miss the other's end.
 */
@Component
class WorkflowCascade {

  private final JdbcClient jdbc;
  private final TaskRows rows;
  private final CancelRequests cancels;

  WorkflowCascade(JdbcClient jdbc, TaskRows rows, CancelRequests cancels) {
    this.jdbc = jdbc;
    this.rows = rows;
    this.cancels = cancels;
  }

  /**
   * Carries {@code ended}'s end to the tasks below it.
   *
   * @return the WAITING tasks it cancelled (ended here, without a write of their own)
   */
  List<UUID> afterEnd(Task ended) {
    if (ended.status() == TaskStatus.SUCCEEDED) {
      return queueReady(ended);
    }
    return cancelBelow(ended);
  }

  /**
   * Queues the WAITING tasks whose dependencies have now all succeeded; one that waited for the
   * sub-workflow it returned SUCCEEDS instead, with its output's result, and carries that on.
   *
   * @return the tasks that succeeded here
   */
  private List<UUID> queueReady(Task succeeded) {
    List<Task> ready =
        jdbc.sql(
                """
                SELECT * FROM task t
                WHERE t.workflow_id = :workflow AND t.status = 'WAITING'
                  AND t.cancel_requested_at IS NULL
                  AND EXISTS (SELECT 1 FROM jsonb_each_text(t.depends_on) d WHERE d.value = :id)
                  AND NOT EXISTS (SELECT 1 FROM jsonb_each_text(t.depends_on) d
                                  JOIN task u ON u.id = CAST(d.value AS uuid)
                                  WHERE u.status <> 'SUCCEEDED')
                """)
            .param("workflow", succeeded.workflowId())
            .param("id", succeeded.id().toString())
            .query(rows.task)
            .list();
    List<UUID> ended = new ArrayList<>();
    for (Task task : ready) {
      if (task.subWorkflowOutput() != null) {
        Task output =
            jdbc.sql("SELECT * FROM task WHERE id = :id")
                .param("id", task.subWorkflowOutput())
                .query(rows.task)
                .single();
        task.subWorkflowSucceeded(
            output.resultPointer(), output.resultDigests(), succeeded.updatedAt());
        if (rows.writeChanges(task)) {
          ended.add(task.id());
          ended.addAll(queueReady(task));
        }
        continue;
      }
      task.dependenciesSucceeded(succeeded.updatedAt());
      if (rows.writeChanges(task)) {
        rows.pgNotify(TaskNotifications.DUE_CHANNEL, task.id().toString());
      }
    }
    return ended;
  }

  private List<UUID> cancelBelow(Task ended) {
    Instant now = ended.updatedAt();
    List<Task> below =
        jdbc.sql(
                """
                WITH RECURSIVE below(id) AS (
                    SELECT t.id FROM task t CROSS JOIN LATERAL jsonb_each_text(t.depends_on) d
                    WHERE t.workflow_id = :workflow AND d.value = :id
                  UNION
                    SELECT t.id FROM below b
                    JOIN task t ON t.workflow_id = :workflow
                    CROSS JOIN LATERAL jsonb_each_text(t.depends_on) d
                    WHERE d.value = CAST(b.id AS text))
                SELECT * FROM task
                WHERE (id IN (SELECT id FROM below)
                       OR (CAST(:children AS text) IS NOT NULL AND workflow_id = :workflow
                           AND left(workflow_key, length(:children)) = :children)
                       OR (workflow_id = :workflow AND EXISTS (
                             SELECT 1 FROM task p
                             WHERE p.id IN (SELECT id FROM below) AND p.status = 'WAITING'
                               AND p.sub_workflow_output IS NOT NULL
                               AND left(task.workflow_key, length(p.workflow_key) + 1)
                                   = p.workflow_key || '/')))
                  AND %s
                """
                    .formatted(TaskRows.NOT_FINAL))
            .param("workflow", ended.workflowId())
            .param("id", ended.id().toString())
            // a task that ended while it waited for its sub-workflow, or that ends here so (the
            // last clause, nested levels included): that sub-workflow's tasks end with it
            .param("children", ended.subWorkflowOutput() == null ? null : ended.workflowKey() + "/")
            .query(rows.task)
            .list();
    List<UUID> cancelled = new ArrayList<>();
    for (Task task : below) {
      if (task.status() == TaskStatus.WAITING) {
        task.dependencyEnded(ended.workflowKey(), ended.status(), now);
        if (rows.writeChanges(task)) {
          cancelled.add(task.id());
        }
      } else {
        String reason = Task.cancelledByDependency(ended.workflowKey(), ended.status());
        cancels.request(task.id(), now, reason);
        rows.pgNotify(TaskNotifications.DUE_CHANNEL, task.id().toString());
      }
    }
    return cancelled;
  }
}
