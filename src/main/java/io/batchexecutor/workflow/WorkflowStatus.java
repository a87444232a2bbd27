package io.batchexecutor.workflow;

/**
 * Where a workflow is, worked out from its tasks: RUNNING until nothing more will run; then
 * SUCCEEDED when every task did, FAILED when one failed, CANCELLED when it was cancelled (or a task
 * was) and nothing failed. "Nothing more will run" means every task is final or has a cancel
 * pending, so a workflow is FAILED as soon as a task failed and what depended on it is being
 * cancelled, even while those cancels are carried out.
 *
 * <p>The rule is applied in SQL, by {@link WorkflowRepository}, so that lists can be filtered by
 * status and paged in the database.
 */
public enum WorkflowStatus {
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED
}
