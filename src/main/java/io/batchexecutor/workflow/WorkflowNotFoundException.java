package io.batchexecutor.workflow;

import java.util.UUID;

/** No workflow with this id belongs to the caller. */
public class WorkflowNotFoundException extends RuntimeException {

  public WorkflowNotFoundException(UUID id) {
    super("no workflow " + id);
  }
}
