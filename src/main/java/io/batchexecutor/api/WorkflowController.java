package io.batchexecutor.api;

import io.batchexecutor.task.NewTask;
import io.batchexecutor.task.PageCursor;
import io.batchexecutor.task.TaskRepository;
import io.batchexecutor.task.TaskSpec;
import io.batchexecutor.workflow.CancelWorkflow;
import io.batchexecutor.workflow.DeleteWorkflow;
import io.batchexecutor.workflow.NewWorkflow;
import io.batchexecutor.workflow.SubmitWorkflow;
import io.batchexecutor.workflow.WorkflowListing;
import io.batchexecutor.workflow.WorkflowNotFoundException;
import io.batchexecutor.workflow.WorkflowRepository;
import io.batchexecutor.workflow.WorkflowStatus;
import io.batchexecutor.workflow.WorkflowSummary;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

/** Submit a whole workflow — tasks whose results feed each other — follow it, cancel it. */
@RestController
@RequestMapping(path = "/api/v1/workflows", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "Workflows", description = "Run a DAG of tasks, each taking the results it refers to")
public class WorkflowController {

  private static final String NO_SUCH_WORKFLOW = "No such workflow (or not the caller's)";

  private final SubmitWorkflow submitWorkflow;
  private final CancelWorkflow cancelWorkflow;
  private final WorkflowRepository workflows;
  private final TaskRepository tasks;
  private final TaskOutputs outputs;
  private final Caller caller;
  private final HeldAnswers held;
  private final DeleteWorkflow deletion;
  private final WorkflowListing listing;
  private final int maxPageSize;

  public WorkflowController(
      SubmitWorkflow submitWorkflow,
      CancelWorkflow cancelWorkflow,
      WorkflowRepository workflows,
      TaskRepository tasks,
      TaskOutputs outputs,
      Caller caller,
      HeldAnswers held,
      DeleteWorkflow deletion,
      WorkflowListing listing,
      io.batchexecutor.config.BatchExecutorProperties properties) {
    this.held = held;
    this.listing = listing;
    this.deletion = deletion;
    this.maxPageSize = properties.api().maxPageSize();
    this.submitWorkflow = submitWorkflow;
    this.cancelWorkflow = cancelWorkflow;
    this.workflows = workflows;
    this.tasks = tasks;
    this.outputs = outputs;
    this.caller = caller;
  }

  @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      operationId = "submitWorkflow",
      summary = "Submit a workflow",
      description =
          "Stores every task at once and answers at once. A task starts when every task it refers"
              + " to with {\"$task\": \"<key>\"}, and every task its \"after\" lists, SUCCEEDED"
              + " (\"after\" waits without taking the result); when one fails, the tasks below it end"
              + " CANCELLED, naming it. A cycle, a reference to a missing key or more than 1,000"
              + " tasks is a 400 that names the problem.")
  @ApiResponse(responseCode = "202", description = "Accepted; Location names the workflow")
  @ApiResponse(
      responseCode = "400",
      description =
          "Invalid workflow; errors names each offending field (tasks.<key>.<field>); or more runs"
              + " than the client may ask for at once (too-many-runs)")
  @ApiResponse(
      responseCode = "409",
      description = "The Idempotency-Key was used before with a different workflow")
  @ApiResponse(
      responseCode = "429",
      description =
          "Over the client's unfinished tasks (too-many-unfinished-tasks) or its submissions a"
              + " second on this instance (too-many-submissions); Retry-After says when to try"
              + " again")
  public ResponseEntity<WorkflowResponse> submit(
      @RequestBody WorkflowRequest body,
      @Parameter(description = "Makes a retried submission return the first workflow")
          @RequestHeader(name = "Idempotency-Key", required = false)
          String idempotencyKey) {
    String owner = caller.current();
    Map<String, NewTask> given = new LinkedHashMap<>();
    Map<String, List<String>> after = new LinkedHashMap<>();
    if (body.tasks() != null) {
      body.tasks()
          .forEach(
              (key, t) -> {
                if (t != null && t.after() != null) {
                  after.put(key, t.after());
                }
              });
      body.tasks()
          .forEach(
              (key, t) ->
                  given.put(
                      key,
                      t == null
                          ? null
                          : new NewTask(
                              owner,
                              t.name(),
                              new TaskSpec(t.function(), t.args(), t.kwargs(), t.image(), t.sweep())
                                  .withFiles(t.files()),
                              t.executor(),
                              null)));
    }
    SubmitWorkflow.Accepted accepted =
        submitWorkflow.submit(new NewWorkflow(owner, body.name(), given, idempotencyKey, after));
    return ResponseEntity.status(HttpStatus.ACCEPTED)
        .location(URI.create("/api/v1/workflows/" + accepted.workflow().id()))
        .header("Idempotent-Replayed", Boolean.toString(!accepted.created()))
        .body(view(accepted.workflow().id()));
  }

  @GetMapping
  @Operation(
      operationId = "listWorkflows",
      summary = "Workflows, newest first, each summed up; filter by status",
      description =
          "The caller's workflows, newest first, one page at a time, each with its status and"
              + " how many of its tasks are in each status; its tasks and outputs are at GET"
              + " /api/v1/workflows/{id}. Pass next_cursor as cursor for the next page (null on"
              + " the last). With a status a page looks at no more than 1,000 workflows, so it may"
              + " hold fewer than size and still have a next one. total is counted up to 10,000,"
              + " without a status only. page (deprecated) still works while page * size is at"
              + " most 10,000.")
  @ApiResponse(responseCode = "200", description = "One page of workflows")
  @ApiResponse(
      responseCode = "400",
      description =
          "Unknown status, size out of range, page negative, with cursor or beyond 10,000"
              + " workflows (invalid-request), or a cursor this list did not give (bad-cursor)")
  public WorkflowPage list(
      @Parameter(description = "Only workflows in this status") @RequestParam(required = false)
          WorkflowStatus status,
      @Parameter(description = "Where to go on: next_cursor of the previous page")
          @RequestParam(required = false)
          String cursor,
      @Parameter(
              description =
                  "Deprecated: the page, from 0, while page * size is at most 10,000; use cursor",
              deprecated = true)
          @RequestParam(required = false)
          Integer page,
      @Parameter(description = "Workflows per page, at most batch-executor.api.max-page-size")
          @RequestParam(defaultValue = "50")
          int size) {
    PageCursor after = Paging.check(cursor, page, size, maxPageSize);
    String owner = caller.current();
    List<WorkflowSummary> items;
    String next;
    if (page != null) {
      Paging.Window<WorkflowSummary> found =
          Paging.window(
              listing.skipping(owner, status, (long) page * size, size + 1),
              size,
              w -> new PageCursor(w.workflow().createdAt(), w.workflow().id()));
      items = found.items();
      next = found.next();
    } else {
      WorkflowListing.Page found = listing.page(owner, status, after, size);
      items = found.items();
      next = found.next() == null ? null : found.next().encode();
    }
    Long total = null;
    boolean exact = false;
    if (status == null) {
      long counted = listing.countUpToCap(owner);
      exact = counted <= WorkflowListing.COUNT_CAP;
      total = Math.min(counted, WorkflowListing.COUNT_CAP);
    }
    return new WorkflowPage(
        items.stream().map(WorkflowPage.Item::of).toList(), size, next, page, total, exact);
  }

  @GetMapping("/{id}")
  @Operation(
      operationId = "getWorkflow",
      summary = "A workflow: its status, each task's status, and the outputs of its last tasks",
      description =
          "With ?wait=<seconds> (at most 60) the answer is held until the workflow is no longer"
              + " RUNNING, or the seconds have passed.")
  @ApiResponse(
      responseCode = "200",
      description = "The workflow",
      content = @Content(schema = @Schema(implementation = WorkflowResponse.class)))
  @ApiResponse(responseCode = "404", description = NO_SUCH_WORKFLOW)
  public Object get(
      @Parameter(description = "The workflow's id") @PathVariable UUID id,
      @Parameter(description = "Hold the answer up to this many seconds, until the workflow ends")
          @RequestParam(required = false)
          Integer wait) {
    Duration hold = HeldAnswers.waitOf(wait);
    String owner = caller.current();
    WorkflowRepository.Detail now = detail(id, owner);
    if (hold.isZero() || now.summary().status() != WorkflowStatus.RUNNING) {
      return WorkflowResponse.of(now, outputs::output);
    }
    return held.await(owner, HeldAnswers.Kind.WORKFLOW, id, hold, () -> view(id, owner));
  }

  @PostMapping("/{id}/cancel")
  @Operation(
      operationId = "cancelWorkflow",
      summary = "Cancel the workflow, or some of its tasks with every task below them",
      description =
          "Without a body, cancels each of its tasks that has not ended as a task's cancel does;"
              + " the workflow ends CANCELLED once they have. With {\"tasks\": [\"<key>\", ...]},"
              + " cancels only those tasks and every task that depends on them, however"
              + " indirectly; the other branches go on, and the workflow ends CANCELLED (FAILED"
              + " when a task failed) once nothing more runs.")
  @ApiResponse(responseCode = "202", description = "Cancelled, or cancels under way")
  @ApiResponse(
      responseCode = "400",
      description = "A key that is not a task of the workflow, or no key (invalid-request)")
  @ApiResponse(responseCode = "404", description = NO_SUCH_WORKFLOW)
  public ResponseEntity<WorkflowResponse> cancel(
      @Parameter(description = "The workflow's id") @PathVariable UUID id,
      @RequestBody(required = false) CancelRequest body) {
    if (body == null || body.tasks() == null) {
      cancelWorkflow.cancel(id, caller.current());
    } else {
      cancelWorkflow.cancelTasks(id, caller.current(), body.tasks());
    }
    return ResponseEntity.status(HttpStatus.ACCEPTED).body(view(id));
  }

  @DeleteMapping("/{id}")
  @Operation(
      operationId = "deleteWorkflow",
      summary = "Delete a workflow whose tasks have all ended",
      description = "Deletes the workflow with its tasks, their histories and all they stored.")
  @ApiResponse(responseCode = "204", description = "Deleted")
  @ApiResponse(responseCode = "404", description = NO_SUCH_WORKFLOW)
  @ApiResponse(
      responseCode = "409",
      description = "A task of the workflow has not ended (workflow-not-finished)")
  public ResponseEntity<Void> delete(
      @Parameter(description = "The workflow's id") @PathVariable UUID id) {
    String owner = caller.current();
    workflows.findOwned(id, owner).orElseThrow(() -> new WorkflowNotFoundException(id));
    if (deletion.delete(id).isEmpty()) {
      throw new ProblemException(
              HttpStatus.CONFLICT,
              Problems.WORKFLOW_NOT_FINISHED,
              "Workflow not finished",
              "workflow "
                  + id
                  + " has tasks that have not ended; cancel it, then delete it once they ended")
          .withProperty("task_counts", detail(id, owner).summary().taskCounts());
    }
    return ResponseEntity.noContent().build();
  }

  private WorkflowResponse view(UUID id) {
    return view(id, caller.current());
  }

  private WorkflowResponse view(UUID id, String owner) {
    return WorkflowResponse.of(detail(id, owner), outputs::output);
  }

  private WorkflowRepository.Detail detail(UUID id, String owner) {
    return workflows.detail(id, owner).orElseThrow(() -> new WorkflowNotFoundException(id));
  }
}
