package io.batchexecutor.api;

import io.batchexecutor.task.TaskStatus;
import io.batchexecutor.workflow.WorkflowStatus;
import io.batchexecutor.workflow.WorkflowSummary;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One page of workflows, newest first.
 *
 * @param items the workflows on this page, each summed up (its tasks and outputs are at {@code GET
 *     /api/v1/workflows/{id}})
 * @param page the page number, from 0
 * @param size the page size asked for
 * @param total how many workflows the caller has (in the status asked for, if one was)
 */
public record WorkflowPage(List<Item> items, int page, int size, long total) {

  /**
   * A workflow in a list.
   *
   * @param id the workflow's id
   * @param name its name
   * @param status RUNNING until nothing more will run, then SUCCEEDED, FAILED or CANCELLED
   * @param cancelRequested whether it was cancelled
   * @param taskCounts how many of its tasks are in each status
   * @param createdAt when it was accepted
   * @param finishedAt when its last task ended, once all have
   */
  @Schema(name = "WorkflowSummary", description = "A workflow in a list")
  public record Item(
      UUID id,
      String name,
      WorkflowStatus status,
      boolean cancelRequested,
      Map<TaskStatus, Long> taskCounts,
      Instant createdAt,
      Instant finishedAt) {

    static Item of(WorkflowSummary summary) {
      return new Item(
          summary.workflow().id(),
          summary.workflow().name(),
          summary.status(),
          summary.workflow().cancelRequested(),
          summary.taskCounts(),
          summary.workflow().createdAt(),
          summary.finishedAt());
    }
  }
}
