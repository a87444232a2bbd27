package io.batchexecutor.task;

import java.util.UUID;

/** No task with that id is visible to the caller. */
public class TaskNotFoundException extends RuntimeException {

  public TaskNotFoundException(UUID id) {
    super("no task " + id);
  }

  public TaskNotFoundException(String id) {
    super("no task " + id);
  }
}
