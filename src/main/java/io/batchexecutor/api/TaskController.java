package io.batchexecutor.api;

import io.batchexecutor.task.CancelTask;
import io.batchexecutor.task.DeleteTask;
import io.batchexecutor.task.NewTask;
import io.batchexecutor.task.SubmitTask;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskError;
import io.batchexecutor.task.TaskEvent;
import io.batchexecutor.task.TaskNotFoundException;
import io.batchexecutor.task.TaskQueries;
import io.batchexecutor.task.TaskSpec;
import io.batchexecutor.task.TaskStatus;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Submit, watch, cancel and delete tasks; read their history and error. Their outputs, the result
 * and the logs, are read through {@link TaskOutputController}.
 */
@RestController
@RequestMapping(path = "/api/v1/tasks", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Tasks", description = "Run a Python function as a task and follow it to its end")
@ApiResponse(
    responseCode = "500",
    description = "The service failed; the problem names an incident id found in its log")
public class TaskController {

  private final SubmitTask submitTask;
  private final CancelTask cancelTask;
  private final TaskQueries tasks;
  private final Caller caller;
  private final HeldAnswers held;
  private final DeleteTask deletion;

  public TaskController(
      SubmitTask submitTask,
      CancelTask cancelTask,
      TaskQueries tasks,
      Caller caller,
      HeldAnswers held,
      DeleteTask deletion) {
    this.held = held;
    this.deletion = deletion;
    this.submitTask = submitTask;
    this.cancelTask = cancelTask;
    this.tasks = tasks;
    this.caller = caller;
  }

  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      operationId = "submitTask",
      summary = "Submit a task",
      description =
          "Stores the task and answers at once; the pipeline builds its image and runs it in the"
              + " background. With an Idempotency-Key, a repeated request returns the first task.")
  @ApiResponse(responseCode = "202", description = "Accepted; Location names the task")
  @ApiResponse(
      responseCode = "400",
      description =
          "Invalid task (invalid-request, malformed-json, unknown-field, setting-not-allowed);"
              + " errors names each offending field. Or a sweep of more runs than the client may"
              + " ask for at once (too-many-runs)")
  @ApiResponse(
      responseCode = "409",
      description = "The Idempotency-Key was used before with a different request")
  @ApiResponse(
      responseCode = "429",
      description =
          "Over the client's unfinished tasks (too-many-unfinished-tasks) or its submissions a"
              + " second on this instance (too-many-submissions); Retry-After says when to try"
              + " again")
  @ApiResponse(
      responseCode = "413",
      description = "The body is larger than the limit (5 MB by default)")
  public ResponseEntity<TaskResponse> submit(
      @RequestBody TaskRequest body,
      @Parameter(description = "Makes a retried submission return the first task")
          @RequestHeader(name = "Idempotency-Key", required = false)
          String idempotencyKey) {
    if (body.after() != null) {
      throw new io.batchexecutor.task.InvalidTaskException(
          List.of(
              new io.batchexecutor.task.InvalidTaskException.Violation(
                  "after",
                  "names tasks of a workflow to wait for: a task on its own has none (submit a"
                      + " workflow to POST /api/v1/workflows)")));
    }
    SubmitTask.Result result =
        submitTask.submit(
            new NewTask(
                caller.current(),
                body.name(),
                new TaskSpec(
                        body.function(), body.args(), body.kwargs(), body.image(), body.sweep())
                    .withFiles(body.files()),
                body.executor(),
                idempotencyKey));
    Task task = result.task();
    return ResponseEntity.status(HttpStatus.ACCEPTED)
        .location(URI.create("/api/v1/tasks/" + task.id()))
        .header("Idempotent-Replayed", Boolean.toString(!result.created()))
        .body(TaskResponse.of(task));
  }

  @GetMapping("/{id}")
  @Operation(
      operationId = "getTask",
      summary = "A task: its status, settings, and where its result is",
      description =
          "With ?wait=<seconds> (at most 60) the answer is held until the task has ended, or the"
              + " seconds have passed: a client learns of the end at once without asking again"
              + " and again.")
  @ApiResponse(
      responseCode = "200",
      description = "The task",
      content = @Content(schema = @Schema(implementation = TaskResponse.class)))
  @ApiResponse(responseCode = "404", description = "No such task")
  public Object get(
      @Parameter(description = "The task's id") @PathVariable UUID id,
      @Parameter(description = "Hold the answer up to this many seconds, until the task ends")
          @RequestParam(required = false)
          Integer wait) {
    Duration hold = HeldAnswers.waitOf(wait);
    Task task = owned(id);
    if (hold.isZero() || task.status().isFinal()) {
      return TaskResponse.of(task);
    }
    return held.await( // an answer held until the task ends
        task.owner(),
        HeldAnswers.Kind.TASK,
        id,
        hold,
        () ->
            tasks.find(id).map(TaskResponse::of).orElseThrow(() -> new TaskNotFoundException(id)));
  }

  @GetMapping("/{id}/events")
  @Operation(
      operationId = "getTaskEvents",
      summary = "The task's history: every status change and what happened within one",
      description =
          "Every event of the task, oldest first: each change of status with its reason, and"
              + " what happened within one (an attempt started, a lease given back, a cancel"
              + " asked for), with its facts in details.")
  @ApiResponse(responseCode = "200", description = "The events, oldest first")
  @ApiResponse(responseCode = "404", description = "No such task")
  public List<TaskEvent> events(@Parameter(description = "The task's id") @PathVariable UUID id) {
    owned(id);
    return tasks.events(id);
  }

  @GetMapping("/{id}/error")
  @Operation(
      operationId = "getTaskError",
      summary = "Why the task failed: the exception's type, its message and its traceback",
      description =
          "The error as stored: the message's first 65,536 characters and the traceback's last"
              + " 262,144, each saying how much was dropped beyond that. A task's view carries only"
              + " the type and the beginning of the message.")
  @ApiResponse(responseCode = "200", description = "The error")
  @ApiResponse(responseCode = "404", description = "No such task")
  @ApiResponse(
      responseCode = "409",
      description = "The task has no error: it has not failed, or failed with none (no-error)")
  public TaskError error(@Parameter(description = "The task's id") @PathVariable UUID id) {
    Task task = owned(id);
    if (task.error() == null) {
      throw new ProblemException(
              HttpStatus.CONFLICT,
              Problems.NO_ERROR,
              "No error",
              "task "
                  + id
                  + " is "
                  + task.status()
                  + (task.status() == TaskStatus.FAILED ? " with no error recorded" : ""))
          .withProperty("status_of_task", task.status());
    }
    return task.error();
  }

  @PostMapping("/{id}/cancel")
  @Operation(
      operationId = "cancelTask",
      summary = "Cancel a task",
      description =
          "A task that has not started is cancelled at once; a running one is stopped (its"
              + " container stopped, its Batch job terminated) and then recorded CANCELLED.")
  @ApiResponse(responseCode = "202", description = "Cancelled, or being cancelled")
  @ApiResponse(responseCode = "404", description = "No such task")
  @ApiResponse(responseCode = "409", description = "The task is final already")
  public ResponseEntity<TaskResponse> cancel(
      @Parameter(description = "The task's id") @PathVariable UUID id) {
    return ResponseEntity.status(HttpStatus.ACCEPTED)
        .body(TaskResponse.of(cancelTask.cancel(id, caller.current())));
  }

  @DeleteMapping("/{id}")
  @Operation(
      operationId = "deleteTask",
      summary = "Delete a task that has ended",
      description =
          "Deletes the task, its history and everything it stored (result, pickle, logs, build"
              + " log). A task still under way must be cancelled and have ended first; a task of a"
              + " workflow goes with its workflow.")
  @ApiResponse(responseCode = "204", description = "Deleted")
  @ApiResponse(responseCode = "404", description = "No such task")
  @ApiResponse(
      responseCode = "409",
      description =
          "Not ended yet (task-not-finished), or part of a workflow (task-in-workflow, naming it)")
  public ResponseEntity<Void> delete(
      @Parameter(description = "The task's id") @PathVariable UUID id) {
    Task task = owned(id);
    if (task.workflowId() != null) {
      throw new ProblemException(
              HttpStatus.CONFLICT,
              Problems.TASK_IN_WORKFLOW,
              "Task belongs to a workflow",
              "task "
                  + id
                  + " is part of workflow "
                  + task.workflowId()
                  + "; delete the workflow once it has ended")
          .withProperty("workflow_id", task.workflowId());
    }
    if (!task.status().isFinal()) {
      throw new ProblemException(
              HttpStatus.CONFLICT,
              Problems.TASK_NOT_FINISHED,
              "Task not finished",
              "task " + id + " is " + task.status() + "; cancel it, then delete it once it ended")
          .withProperty("status_of_task", task.status());
    }
    deletion.deleteAll(List.of(task));
    return ResponseEntity.noContent().build();
  }

  private Task owned(UUID id) {
    return tasks.findOwned(id, caller.current()).orElseThrow(() -> new TaskNotFoundException(id));
  }
}
