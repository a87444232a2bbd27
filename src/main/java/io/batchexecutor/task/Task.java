package io.batchexecutor.task;

import io.batchexecutor.config.TaskSettings;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A task and everything the pipeline learned about it. Its status only changes through the named
 * methods below, each of which checks the move against {@link TaskStatus#canMoveTo} and records a
 * {@link TaskEvent}; {@link TaskRepository#update} writes the changes and the events together,
 * provided nobody else changed the task since it was read. Its fields, and the accessors that read
 * them, are in {@code TaskState}; the checked move and the facts it records without a change of
 * status are in {@code TaskHistory}.
 */
public final class Task extends TaskHistory {

  Task(TaskFields fields) {
    super(fields);
  }

  /** A newly accepted task, QUEUED. */
  public static Task accept(
      UUID id,
      String owner,
      String name,
      TaskSpec spec,
      TaskSettings settings,
      String backend,
      Instant at) {
    TaskFields b = TaskFields.accepted(id, owner, name, spec, settings, backend, at);
    b.status = TaskStatus.QUEUED;
    b.statusReason = "accepted";
    Task task = new Task(b);
    task.pendingEvents.add(
        new TaskEvent(at, EventKind.STATUS, null, TaskStatus.QUEUED, "accepted", Map.of()));
    return task;
  }

  /**
   * A newly accepted task of workflow {@code workflowId}, known there as {@code key}, taking the
   * results of {@code dependsOn} (key to task id). It WAITS for them when {@code waits}, else it is
   * QUEUED at once.
   */
  public static Task acceptInWorkflow(
      UUID id,
      String owner,
      String name,
      TaskSpec spec,
      TaskSettings settings,
      String backend,
      Instant at,
      UUID workflowId,
      String key,
      Map<String, UUID> dependsOn,
      boolean waits) {
    TaskFields b = TaskFields.accepted(id, owner, name, spec, settings, backend, at);
    b.workflowId = workflowId;
    b.workflowKey = key;
    b.dependsOn = new LinkedHashMap<>(dependsOn);
    b.status = waits ? TaskStatus.WAITING : TaskStatus.QUEUED;
    String after = String.join(", ", dependsOn.keySet());
    b.statusReason = waits ? "waiting for " + after : "accepted";
    Task task = new Task(b);
    task.pendingEvents.add(
        new TaskEvent(
            at,
            EventKind.STATUS,
            null,
            b.status,
            b.statusReason,
            Map.of("workflow_id", workflowId.toString(), "workflow_key", key)));
    return task;
  }

  // ---- on the way to the backend --------------------------------------------------------------

  /** The pipeline starts on the task: its image is being built. */
  public void startBuilding(Instant at) {
    moveTo(TaskStatus.BUILDING, "building the task image", Map.of(), at);
  }

  /** The image is on its way to the registry. */
  public void startPushing(Instant at) {
    moveTo(TaskStatus.PUSHING, "pushing " + imageRef, Map.of(), at);
  }

  /** A job definition is being registered. */
  public void startRegistering(Instant at) {
    moveTo(TaskStatus.REGISTERING, "registering the job definition", Map.of(), at);
  }

  /** The task was handed to a backend's job service ({@code where}: AWS Batch) as {@code jobId}. */
  public void submittedAsJob(String jobId, String where, Instant at) {
    this.batchJobId = jobId;
    moveTo(
        TaskStatus.SUBMITTED,
        "submitted to " + where + " as " + jobId,
        Map.of("job_id", jobId),
        at);
  }

  /** The task's container {@code containerId} was created on the local engine. */
  public void submittedToContainer(String containerId, Instant at) {
    this.containerId = containerId;
    moveTo(
        TaskStatus.SUBMITTED,
        "container " + shortId(containerId) + " created",
        Map.of("container_id", containerId),
        at);
  }

  /**
   * A sweep's {@code runs} runs are handed to the local engine, at most {@code parallel} at once.
   */
  public void sweepLaunched(int runs, int parallel, Instant at) {
    moveTo(
        TaskStatus.SUBMITTED,
        runs + " combinations, run in up to " + parallel + " containers at once",
        Map.of("runs", runs, "parallel", parallel),
        at);
  }

  // ---- while it runs --------------------------------------------------------------------------

  /**
   * The digests of the result files the service collected ({@code result.json}, {@code
   * result.pickle}: file name to SHA-256 hex), taken from the bytes as they reached it; every later
   * read of the result is checked against them.
   */
  public void resultsCollected(Map<String, String> digests) {
    this.resultDigests = Map.copyOf(digests);
  }

  /** Where the backend keeps the task's output, once it is collected. */
  public void logsCollected(String pointer) {
    this.logsPointer = pointer;
  }

  /**
   * Says how far the current status got (e.g. how many runs of a sweep ended) without an entry in
   * the history: such counts change too often to be history.
   */
  public void progress(String reason) {
    this.statusReason = reason;
  }

  /** The backend reports a not-yet-final status (PENDING, RUNNABLE, STARTING, RUNNING). */
  public void observe(TaskStatus observed, String reason, Instant at) {
    if (observed.isFinal()) {
      throw new IllegalArgumentException("final statuses go through succeed, fail or cancel");
    }
    if (observed == status) {
      if (reason != null && !reason.equals(statusReason)) {
        statusReason = reason;
        record(EventKind.STATUS_REASON, reason, Map.of(), at);
      }
      return;
    }
    moveTo(observed, reason, Map.of(), at);
  }

  // ---- how it ends ----------------------------------------------------------------------------

  /** The function returned; its value is at {@code resultPointer}. */
  public void succeed(String resultPointer, Integer exitCode, Instant at) {
    this.resultPointer = resultPointer;
    this.exitCode = exitCode;
    moveTo(TaskStatus.SUCCEEDED, "succeeded", exitDetails(exitCode), at);
    this.finishedAt = at;
  }

  /**
   * The task failed: {@code reason} says why in a sentence, {@code error} carries the Python
   * exception or the kind of infrastructure failure.
   */
  public void fail(
      String reason, TaskError error, Integer exitCode, String resultPointer, Instant at) {
    this.error = error;
    this.exitCode = exitCode;
    this.resultPointer = resultPointer;
    moveTo(TaskStatus.FAILED, reason, exitDetails(exitCode), at);
    this.finishedAt = at;
  }

  /** The task was cancelled; nothing of it runs any more. */
  public void cancel(String reason, Instant at) {
    moveTo(TaskStatus.CANCELLED, reason, Map.of(), at);
    this.finishedAt = at;
  }

  // ---- in a workflow --------------------------------------------------------------------------

  /** A workflow task that WAITED for its dependencies: they have all succeeded; it is due now. */
  public void dependenciesSucceeded(Instant at) {
    moveTo(TaskStatus.QUEUED, "its dependencies succeeded", Map.of(), at);
  }

  /**
   * The function returned a sub-workflow: its tasks ({@code children}, keyed under this task's key)
   * join the workflow with this change, and this task WAITS for all of them; once they succeeded
   * its value is that of task {@code output} (one of them).
   */
  public void returnedSubWorkflow(List<Task> children, UUID output, Integer exitCode, Instant at) {
    Map<String, UUID> all = new LinkedHashMap<>(dependsOn);
    children.forEach(child -> all.put(child.workflowKey(), child.id()));
    this.dependsOn = java.util.Collections.unmodifiableMap(all);
    this.subWorkflowOutput = output;
    this.exitCode = exitCode;
    pendingChildren.addAll(children);
    moveTo(
        TaskStatus.WAITING,
        "waiting for its sub-workflow of " + children.size() + " tasks",
        Map.of("sub_workflow_tasks", children.size()),
        at);
  }

  /**
   * A cancel request reached this task before the sub-workflow it returned went in: none of that
   * sub-workflow is added, and the task is CANCELLED instead of WAITING.
   */
  public void cancelBeforeSubWorkflow(String reason, Instant at) {
    dropSubWorkflow();
    cancel("cancelled before its sub-workflow started: " + reason, at);
  }

  /**
   * The workflow, counted under its lock, has no room for the sub-workflow this task returned: none
   * of it is added, and the task FAILS ({@code InvalidSubWorkflow}) naming the limit.
   */
  public void subWorkflowOverLimit(String limit, Instant at) {
    dropSubWorkflow();
    String reason = "the function returned an invalid sub-workflow: tasks: " + limit;
    fail(reason, new TaskError("InvalidSubWorkflow", reason, null), exitCode, null, at);
  }

  private void dropSubWorkflow() {
    Map<String, UUID> own = new LinkedHashMap<>(dependsOn);
    pendingChildren.forEach(child -> own.remove(child.workflowKey()));
    this.dependsOn = java.util.Collections.unmodifiableMap(own);
    this.subWorkflowOutput = null;
    pendingChildren.clear();
  }

  /**
   * The tasks of the sub-workflow this task returned all succeeded: its value is the output's, read
   * from where that task's result is, checked against that result's digests.
   */
  public void subWorkflowSucceeded(
      String outputPointer, Map<String, String> outputDigests, Instant at) {
    this.resultPointer = outputPointer;
    this.resultDigests = Map.copyOf(outputDigests);
    moveTo(TaskStatus.SUCCEEDED, "its sub-workflow succeeded", Map.of(), at);
    this.finishedAt = at;
  }

  /** The reason a task gives when dependency {@code key} ended {@code how} before it could run. */
  public static String cancelledByDependency(String key, TaskStatus how) {
    return "cancelled: its dependency '" + key + "' " + how.name();
  }

  /**
   * A workflow task that WAITED for its dependencies: dependency {@code key} ended {@code how}
   * (FAILED or CANCELLED), so this one will never run; it is cancelled with a reason naming it.
   */
  public void dependencyEnded(String key, TaskStatus how, Instant at) {
    // a task of its sub-workflow that was cancelled (not failed) cancels it
    if (subWorkflowOutput != null
        && key.startsWith(workflowKey() + "/")
        && how == TaskStatus.FAILED) {
      String reason = "its sub-workflow's task '" + key + "' " + how.name();
      this.error = new TaskError("SubWorkflowFailed", reason, null);
      moveTo(TaskStatus.FAILED, reason, Map.of("dependency", key), at);
      this.finishedAt = at;
      return;
    }
    String reason = cancelledByDependency(key, how);
    if (cancelRequestedAt == null) {
      cancelRequestedAt = at;
      cancelReason = reason;
    }
    moveTo(TaskStatus.CANCELLED, reason, Map.of("dependency", key), at);
    this.finishedAt = at;
  }

  private static Map<String, Object> exitDetails(Integer exitCode) {
    return exitCode == null ? Map.of() : Map.of("exit_code", exitCode);
  }
}
