package io.batchexecutor.api;

import io.batchexecutor.workflow.RerunWorkflow;
import io.batchexecutor.workflow.SubmitWorkflow;
import io.batchexecutor.workflow.WorkflowNotFoundException;
import io.batchexecutor.workflow.WorkflowRepository;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Re-run a workflow, reusing the results of what did not change. */
@RestController
@RequestMapping(path = "/api/v1/workflows", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Workflows", description = "Run a DAG of tasks, each taking the results it refers to")
public class WorkflowRerunController {

  private final RerunWorkflow rerunWorkflow;
  private final WorkflowRepository workflows;
  private final TaskOutputs outputs;
  private final Caller caller;

  public WorkflowRerunController(
      RerunWorkflow rerunWorkflow,
      WorkflowRepository workflows,
      TaskOutputs outputs,
      Caller caller) {
    this.rerunWorkflow = rerunWorkflow;
    this.workflows = workflows;
    this.outputs = outputs;
    this.caller = caller;
  }

  @PostMapping("/{id}/rerun")
  @Operation(
      operationId = "rerunWorkflow",
      summary = "Re-run a workflow as a new one, reusing the results of unchanged tasks",
      description =
          "Makes a new workflow with the same tasks under the same keys; its rerun_of names this"
              + " one, whose reruns then list it. A task that SUCCEEDED here and is unchanged (same"
              + " function, arguments, image and inputs) is reused: it is born SUCCEEDED with this"
              + " run's result, starts no container and no job, and names the task whose result it"
              + " took (reused_from). Every other task runs, and so does everything below it. tasks"
              + " replaces the function or arguments of the tasks it names; reuse false runs every"
              + " task. The body may be left out.")
  @ApiResponse(responseCode = "202", description = "Accepted; Location names the new workflow")
  @ApiResponse(
      responseCode = "400",
      description =
          "A key that is not a task of the workflow, or an invalid replacement; errors names each"
              + " (tasks.<key>.<field>)")
  @ApiResponse(responseCode = "404", description = "No such workflow (or not the caller's)")
  @ApiResponse(
      responseCode = "409",
      description =
          "The Idempotency-Key was used before with a different request"
              + " (idempotency-key-reused), or the workflow's deletion has begun"
              + " (workflow-being-deleted)")
  @ApiResponse(
      responseCode = "429",
      description =
          "Over the client's unfinished tasks (too-many-unfinished-tasks) or its submissions a"
              + " second on this instance (too-many-submissions); Retry-After says when to try"
              + " again")
  public ResponseEntity<WorkflowResponse> rerun(
      @Parameter(description = "The workflow to re-run") @PathVariable UUID id,
      @RequestBody(required = false) RerunRequest body,
      @Parameter(description = "Makes a retried re-run return the first new workflow")
          @RequestHeader(name = "Idempotency-Key", required = false)
          String idempotencyKey) {
    String owner = caller.current();
    Map<String, RerunWorkflow.Replacement> replacements = new LinkedHashMap<>();
    if (body != null && body.tasks() != null) {
      body.tasks()
          .forEach(
              (key, r) ->
                  replacements.put(
                      key,
                      r == null
                          ? null
                          : new RerunWorkflow.Replacement(r.function(), r.args(), r.kwargs())));
    }
    boolean reuse = body == null || body.reuse() == null || body.reuse();
    SubmitWorkflow.Accepted accepted =
        rerunWorkflow.rerun(
            new RerunWorkflow.Request(id, owner, reuse, replacements, idempotencyKey));
    UUID created = accepted.workflow().id();
    return ResponseEntity.status(HttpStatus.ACCEPTED)
        .location(URI.create("/api/v1/workflows/" + created))
        .header("Idempotent-Replayed", Boolean.toString(!accepted.created()))
        .body(
            WorkflowResponse.of(
                workflows
                    .detail(created, owner)
                    .orElseThrow(() -> new WorkflowNotFoundException(created)),
                outputs::output));
  }
}
