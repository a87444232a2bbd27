package io.batchexecutor.task;

import java.util.Collection;
import org.springframework.stereotype.Component;

/**
 * Deletes ended tasks of no workflow with everything they stored: the objects go first, then the
 * rows with their history; a failure on the way leaves the rows, so that the deletion can be tried
 * again. Only final tasks are ever deleted. Serves a client's {@code DELETE} and the expiry of old
 * tasks alike.
 */
@Component
public class DeleteTask {

  private final TaskRepository tasks;
  private final StoredTaskObjects objects;

  public DeleteTask(TaskRepository tasks, StoredTaskObjects objects) {
    this.tasks = tasks;
    this.objects = objects;
  }

  /**
   * Deletes these tasks, each of no workflow and final.
   *
   * @return how many were deleted
   */
  public int deleteAll(Collection<Task> alone) {
    objects.deleteAll(alone);
    return tasks.deleteFinished(alone.stream().map(Task::id).toList());
  }
}
