package io.batchexecutor.task;

/**
 * The task is not in a state that allows what was asked (for instance, cancelling a final task).
 */
public class TaskStateConflictException extends RuntimeException {

  private final transient Task task;

  public TaskStateConflictException(Task task, String message) {
    super(message);
    this.task = task;
  }

  public Task task() {
    return task;
  }
}
