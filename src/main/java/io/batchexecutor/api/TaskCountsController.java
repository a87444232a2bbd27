package io.batchexecutor.api;

import io.batchexecutor.task.TaskQueries;
import io.batchexecutor.task.TaskStatus;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** How many tasks the caller has in each status, in one query (the dashboard's summary). */
@RestController
@RequestMapping(path = "/api/v1/tasks", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Tasks", description = "Run a Python function as a task and follow it to its end")
@ApiResponse(
    responseCode = "500",
    description = "The service failed; the problem names an incident id found in its log")
public class TaskCountsController {

  private final TaskQueries tasks;
  private final Caller caller;

  public TaskCountsController(TaskQueries tasks, Caller caller) {
    this.tasks = tasks;
    this.caller = caller;
  }

  @GetMapping("/counts")
  @Operation(
      operationId = "countTasks",
      summary = "How many tasks the caller has in each status",
      description =
          "The caller's tasks (a workflow's included) counted by status in one query, statuses"
              + " with none left out, and the total: a summary without listing the tasks.")
  @ApiResponse(responseCode = "200", description = "The counts by status and the total")
  public TaskCounts counts() {
    Map<TaskStatus, Long> counts = tasks.countByStatus(caller.current());
    return new TaskCounts(counts, counts.values().stream().mapToLong(Long::longValue).sum());
  }
}
