package io.batchexecutor.task;

import io.batchexecutor.config.TaskSettings;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A task of a workflow's re-run that does not run: it is born SUCCEEDED with the result of the task
 * it repeats in the earlier run, whose function, arguments and inputs were the same. It starts no
 * container and no job; its result pointer and digests are the earlier task's, and it names the
 * task whose objects hold them ({@link Task#reusedFrom}: the task whose prefix the pointer is
 * under, which for a sub-workflow's parent is its output task), so that those outlive the earlier
 * run.
 */
public final class ReusedTask {

  private ReusedTask() {}

  /**
   * A task of workflow {@code workflowId}, known there as {@code key}, taking the result of {@code
   * source} (SUCCEEDED, same owner), stored as SUCCEEDED at {@code at}.
   */
  public static Task of(
      UUID id,
      Task source,
      TaskSpec spec,
      String backend,
      Instant at,
      UUID workflowId,
      String key,
      Map<String, UUID> dependsOn) {
    if (source.status() != TaskStatus.SUCCEEDED || source.resultPointer() == null) {
      throw new IllegalArgumentException("only a succeeded task's result can be reused");
    }
    TaskSettings settings = source.settings();
    TaskFields b =
        TaskFields.accepted(id, source.owner(), source.name(), spec, settings, backend, at);
    b.workflowId = workflowId;
    b.workflowKey = key;
    b.dependsOn = new LinkedHashMap<>(dependsOn);
    b.status = TaskStatus.SUCCEEDED;
    b.reusedFrom = holder(source);
    b.resultPointer = source.resultPointer();
    b.resultDigests = source.resultDigests();
    b.exitCode = source.exitCode();
    b.finishedAt = at;
    b.statusReason = "reused the result of task " + source.id();
    Task task = b.build();
    Map<String, Object> where = new LinkedHashMap<>();
    where.put("workflow_id", workflowId.toString());
    where.put("workflow_key", key);
    task.pendingEvents.add(
        new TaskEvent(at, EventKind.STATUS, null, TaskStatus.SUCCEEDED, b.statusReason, where));
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("source_task_id", source.id().toString());
    details.put("source_workflow_id", String.valueOf(source.workflowId()));
    details.put("result_holder_task_id", b.reusedFrom.toString());
    task.pendingEvents.add(
        new TaskEvent(
            at,
            EventKind.REUSED,
            TaskStatus.SUCCEEDED,
            TaskStatus.SUCCEEDED,
            "unchanged since task " + source.id() + " succeeded: its result is reused",
            details));
    return task;
  }

  /**
   * The task under whose prefix the result of {@code source} is stored ({@code
   * …/<id>/result.json}): not always {@code source} itself, nor the task it reused; a
   * sub-workflow's parent points at its output task's result. The pointer's own directory names it;
   * failing that, the task {@code source} reused or {@code source}.
   */
  static UUID holder(Task source) {
    String pointer = source.resultPointer();
    int end = pointer.lastIndexOf('/');
    int start = end > 0 ? pointer.lastIndexOf('/', end - 1) : -1;
    if (start >= 0) {
      try {
        String segment = pointer.substring(start + 1, end);
        if (segment.length() == 36) {
          return UUID.fromString(segment);
        }
      } catch (IllegalArgumentException e) {
        // not a task's own directory: named below
      }
    }
    return source.reusedFrom() != null ? source.reusedFrom() : source.id();
  }
}
