package io.batchexecutor.api;

import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskNotFoundException;
import io.batchexecutor.task.TaskQueries;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A task's outputs: the function's return value and what it printed, whole, by stream, by its last
 * lines or followed while it runs. The task's life (submit, watch, cancel, delete) is in {@link
 * TaskController}.
 */
@RestController
@RequestMapping(path = "/api/v1/tasks", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Tasks", description = "Run a Python function as a task and follow it to its end")
@ApiResponse(
    responseCode = "500",
    description = "The service failed; the problem names an incident id found in its log")
public class TaskOutputController {

  private final TaskQueries tasks;
  private final TaskOutputs outputs;
  private final TaskLogReader logs;
  private final Caller caller;
  private final LogFollowers followers;
  private final TaskStreams streams;

  public TaskOutputController(
      TaskQueries tasks,
      TaskOutputs outputs,
      TaskLogReader logs,
      Caller caller,
      LogFollowers followers,
      TaskStreams streams) {
    this.tasks = tasks;
    this.outputs = outputs;
    this.logs = logs;
    this.caller = caller;
    this.followers = followers;
    this.streams = streams;
  }

  @GetMapping(
      path = "/{id}/result",
      produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.APPLICATION_OCTET_STREAM_VALUE})
  @Operation(
      operationId = "getTaskResult",
      summary = "The function's return value",
      description =
          "The value as JSON. A value JSON cannot carry is kept as a pickle: ask with Accept:"
              + " application/octet-stream for its bytes; as JSON it is described by type and repr.")
  @ApiResponse(
      responseCode = "200",
      description = "The return value",
      content = {
        // any JSON value: its schema is set in OpenApiConfiguration
        @Content(mediaType = MediaType.APPLICATION_JSON_VALUE),
        @Content(
            mediaType = MediaType.APPLICATION_OCTET_STREAM_VALUE,
            schema = @Schema(type = "string", format = "binary"))
      })
  @ApiResponse(responseCode = "404", description = "No such task")
  @ApiResponse(
      responseCode = "409",
      description =
          "Not finished (task-not-finished), or failed or cancelled (task-failed, with error)")
  public ResponseEntity<?> result(
      @Parameter(description = "The task's id") @PathVariable UUID id,
      @Parameter(description = "For a sweep: only run <index> (from 0), or its pickle")
          @RequestParam(required = false)
          Integer index,
      @Parameter(hidden = true) @RequestHeader(name = "Accept", required = false) String accept) {
    return outputs.result(owned(id), accept, index);
  }

  @GetMapping(path = "/{id}/logs", produces = MediaType.TEXT_PLAIN_VALUE)
  @Operation(
      operationId = "getTaskLogs",
      summary = "What the task printed (stdout and stderr), also while it runs",
      description =
          "For a sweep, ?index=<run> gives what one run printed, also while it runs (on AWS"
              + " Batch from that child job's own stream); without index, a local sweep's runs"
              + " one after another once all ended. On the local backend the stored output is at"
              + " most batch-executor.local.max-log-size: its first and last halves, with one line"
              + " between them saying how many bytes were dropped. ?stream=stdout or"
              + " ?stream=stderr gives one stream alone, as the runner kept it apart beside the"
              + " result once the task ended (also on AWS Batch, whose log stream merges them).")
  @ApiResponse(
      responseCode = "200",
      description = "The output as text",
      content = @Content(mediaType = MediaType.TEXT_PLAIN_VALUE, schema = @Schema(type = "string")))
  @ApiResponse(
      responseCode = "503",
      description = "The backend (Docker engine, AWS) does not answer; try again")
  @ApiResponse(responseCode = "404", description = "No such task")
  @ApiResponse(
      responseCode = "400",
      description =
          "An index that names no run, a tail below 0, above 10,000 or with follow, or a stream"
              + " other than stdout or stderr, or with follow")
  @ApiResponse(
      responseCode = "409",
      description = "Nothing has run yet, so there is no output (not with follow: it waits)")
  public ResponseEntity<?> logs(
      @Parameter(description = "The task's id") @PathVariable UUID id,
      @Parameter(description = "For a sweep: what run <index> (from 0) printed")
          @RequestParam(required = false)
          Integer index,
      @Parameter(
              description =
                  "Keep the response open and send the output as it comes (checked every"
                      + " second, every 5 s on AWS Batch), until the task has ended (at most an"
                      + " hour)")
          @RequestParam(defaultValue = "false")
          boolean follow,
      @Parameter(
              description =
                  "Only the last <tail> lines (at most 10,000), read from the end of the output;"
                      + " not with follow")
          @RequestParam(required = false)
          Integer tail,
      @Parameter(
              description =
                  "stdout or stderr: only that stream, kept apart by the runner once the task"
                      + " ended; left out, the whole output, both streams in order; not with"
                      + " follow",
              schema = @Schema(allowableValues = {"stdout", "stderr"}))
          @RequestParam(required = false)
          String stream) {
    TaskLogReader.checkTail(tail);
    if (follow && tail != null) {
      throw ProblemException.invalidParameter("tail", "cannot be combined with follow=true");
    }
    if (stream != null) {
      TaskStreams.fileOf(stream);
      if (follow) {
        throw ProblemException.invalidParameter(
            "stream", "cannot be combined with follow=true: the streams are kept apart at the end");
      }
    }
    Task task = owned(id);
    if (stream != null) {
      return streams.stream(task, index, stream, tail);
    }
    if (follow) {
      return ResponseEntity.ok()
          .contentType(TaskLogReader.TEXT)
          .body(followers.follow(task, index));
    }
    return logs.logs(task, index, tail);
  }

  private Task owned(UUID id) {
    return tasks.findOwned(id, caller.current()).orElseThrow(() -> new TaskNotFoundException(id));
  }
}
