package io.batchexecutor.task;

import java.util.UUID;

/** A status change that the transition table does not allow, such as leaving a final status. */
public class IllegalTransitionException extends IllegalStateException {

  public IllegalTransitionException(UUID taskId, TaskStatus from, TaskStatus to) {
    super("task " + taskId + " cannot move from " + from + " to " + to);
  }
}
