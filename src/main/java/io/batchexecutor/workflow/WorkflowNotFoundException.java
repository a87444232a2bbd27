package io.batchexecutor.workflow;

import java.util.UUID;

/** No workflow with this id belongs to the caller. */
public class WorkflowNotFoundException extends RuntimeException {

  public WorkflowNotFoundException(UUID id) {
    this(id.toString());
  }

  /** For an id that is not even a UUID: there is no such workflow either. */
  public WorkflowNotFoundException(String id) {
    super("no workflow " + id);
  }
}
