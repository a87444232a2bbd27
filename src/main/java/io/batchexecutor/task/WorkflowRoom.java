package io.batchexecutor.task;

import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What a task's write inside its workflow checks first, in the write's transaction: the workflow's
 * lock, a cancel request that came since the task was read, and whether a returned sub-workflow's
 * tasks fit in the workflow ({@link SubWorkflows#MAX_WORKFLOW_TASKS}).
 */
@Component
class WorkflowRoom {

  private final JdbcClient jdbc;

  WorkflowRoom(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Whether {@code adding} more tasks fit in {@code task}'s workflow; when they do not, {@code
   * task} fails for it (its sub-workflow is over the limit). Counted under the workflow's lock.
   */
  void checkRoom(Task task, int adding) {
    long existing =
        jdbc.sql("SELECT count(*) FROM task WHERE workflow_id = :workflow")
            .param("workflow", task.workflowId())
            .query(Long.class)
            .single();
    if (existing + adding > SubWorkflows.MAX_WORKFLOW_TASKS) {
      task.subWorkflowOverLimit(
          "the workflow would have %d tasks with this sub-workflow's %d; a workflow has at most %d"
              .formatted(existing + adding, adding, SubWorkflows.MAX_WORKFLOW_TASKS),
          task.updatedAt());
    }
  }

  /** The reason of the cancel request on task {@code id}, if it has one; locks its row. */
  Optional<String> cancelRequest(UUID id) {
    return jdbc.sql(
            """
            SELECT coalesce(cancel_reason, 'cancel requested') FROM task
            WHERE id = :id AND cancel_requested_at IS NOT NULL FOR UPDATE
            """)
        .param("id", id)
        .query(String.class)
        .optional();
  }

  /**
   * Locks the workflow's row: every write that ends a task in a workflow, or adds tasks to it,
   * takes it first, so that two of them in one workflow cannot deadlock or both fit.
   */
  void lock(UUID workflowId) {
    jdbc.sql("SELECT id FROM workflow WHERE id = :id FOR UPDATE")
        .param("id", workflowId)
        .query()
        .listOfRows();
  }
}
