package io.batchexecutor.api;

import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.task.PageCursor;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskQueries;
import io.batchexecutor.task.TaskStatus;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The caller's tasks a page at a time, and their counts by status: reads whose cost is the page
 * asked for and the tasks in flight, never the caller's history.
 */
@RestController
@RequestMapping(path = "/api/v1/tasks", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Tasks")
@ApiResponse(
    responseCode = "500",
    description = "The service failed; the problem names an incident id found in its log")
public class TaskListController {

  private final TaskQueries tasks;
  private final Caller caller;
  private final int maxPageSize;

  public TaskListController(TaskQueries tasks, Caller caller, BatchExecutorProperties properties) {
    this.tasks = tasks;
    this.caller = caller;
    this.maxPageSize = properties.api().maxPageSize();
  }

  @GetMapping
  @Operation(
      operationId = "listTasks",
      summary = "Tasks, newest first, optionally of one status",
      description =
          "The caller's tasks (a workflow's included), newest first, one page at a time: pass"
              + " next_cursor as cursor for the next page (null on the last). Tasks accepted while"
              + " paging appear on no later page, and none of the others is skipped or repeated."
              + " total is exact, counted without reading the history. page (deprecated) still"
              + " works while page * size is at most 10,000.")
  @ApiResponse(responseCode = "200", description = "One page of tasks")
  @ApiResponse(
      responseCode = "400",
      description =
          "Unknown status, size out of range, page negative, with cursor or beyond 10,000 tasks"
              + " (invalid-request), or a cursor this list did not give (bad-cursor)")
  public TaskPage list(
      @Parameter(description = "Only tasks in this status") @RequestParam(required = false)
          TaskStatus status,
      @Parameter(description = "Where to go on: next_cursor of the previous page")
          @RequestParam(required = false)
          String cursor,
      @Parameter(
              description =
                  "Deprecated: the page, from 0, while page * size is at most 10,000; use cursor",
              deprecated = true)
          @RequestParam(required = false)
          Integer page,
      @Parameter(description = "Tasks per page, at most batch-executor.api.max-page-size")
          @RequestParam(defaultValue = "50")
          int size) {
    PageCursor after = Paging.check(cursor, page, size, maxPageSize);
    String owner = caller.current();
    List<Task> found =
        page != null
            ? tasks.list(owner, status, (long) page * size, size + 1)
            : tasks.page(owner, status, after, size + 1);
    Paging.Window<Task> shown =
        Paging.window(found, size, t -> new PageCursor(t.createdAt(), t.id()));
    return new TaskPage(
        shown.items().stream().map(TaskResponse::of).toList(),
        size,
        shown.next(),
        page,
        tasks.count(owner, status),
        true);
  }

  @GetMapping("/counts")
  @Operation(
      operationId = "countTasks",
      summary = "How many tasks the caller has in each status",
      description =
          "The caller's tasks (a workflow's included) counted by status, statuses with none left"
              + " out, and the total: a summary without listing the tasks. Exact, and without"
              + " reading the history: the tasks in flight are counted, the finished ones are"
              + " totals kept as tasks end and are deleted.")
  @ApiResponse(responseCode = "200", description = "The counts by status and the total")
  public TaskCounts counts() {
    Map<TaskStatus, Long> counts = tasks.countByStatus(caller.current());
    return new TaskCounts(counts, counts.values().stream().mapToLong(Long::longValue).sum());
  }
}
