package io.batchexecutor.workflow;

import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import java.util.List;

/**
 * Where a workflow is, worked out from its tasks: RUNNING until nothing more will run; then
 * SUCCEEDED when every task did, FAILED when one failed, CANCELLED when it was cancelled (or a task
 * was) and nothing failed. "Nothing more will run" means every task is final or has a cancel
 * pending, so a workflow is FAILED as soon as a task failed and what depended on it is being
 * cancelled, even while those cancels are carried out.
 */
public enum WorkflowStatus {
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  public static WorkflowStatus of(Workflow workflow, List<Task> tasks) {
    boolean settled = tasks.stream().allMatch(t -> t.status().isFinal() || t.cancelRequested());
    if (!settled) {
      return RUNNING;
    }
    if (tasks.stream().allMatch(t -> t.status() == TaskStatus.SUCCEEDED)) {
      return SUCCEEDED;
    }
    if (tasks.stream().anyMatch(t -> t.status() == TaskStatus.FAILED)) {
      return FAILED;
    }
    boolean allFinal = tasks.stream().allMatch(t -> t.status().isFinal());
    return allFinal || workflow.cancelRequested() ? CANCELLED : RUNNING;
  }
}
