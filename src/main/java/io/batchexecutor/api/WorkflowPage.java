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
 * One page of workflows, newest first ({@code created_at} then {@code id}, both descending).
 *
 * @param items the workflows on this page, each summed up (its tasks and outputs are at {@code GET
 *     /api/v1/workflows/{id}}); with a status filter a page may hold fewer than {@code size} (each
 *     page looks at no more than 1,000 workflows) and still have a next one
 * @param size the page size asked for
 * @param nextCursor give it as {@code cursor} for the next (older) page; null on the last page
 * @param page the page number asked for (deprecated {@code page} parameter), null with a cursor
 * @param total how many workflows the caller has, counted up to 10,000 (10,000 with {@code
 *     total_exact} false: more than 10,000); null with a status filter (not counted)
 * @param totalExact whether {@code total} is the exact number
 */
public record WorkflowPage(
    List<Item> items,
    int size,
    @Schema(nullable = true) String nextCursor,
    @Schema(nullable = true, deprecated = true) Integer page,
    @Schema(nullable = true) Long total,
    boolean totalExact) {

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
