package io.batchexecutor.workflow;

import java.util.UUID;

/** A re-run of a workflow whose deletion has begun: its results may be gone already. */
public class WorkflowBeingDeletedException extends RuntimeException {

  public WorkflowBeingDeletedException(UUID id) {
    super("workflow " + id + " is being deleted; its results can no longer be reused");
  }
}
