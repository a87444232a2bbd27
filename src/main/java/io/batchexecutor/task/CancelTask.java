package io.batchexecutor.task;

import java.time.Clock;
import java.util.UUID;
import org.springframework.stereotype.Service;

/**
 * Cancels a task. A task that no worker has started is cancelled on the spot; one that is being
 * worked on is marked, and the instance that holds it stops its container or terminates its Batch
 * job, then records CANCELLED.
 */
@Service
public class CancelTask {

  private final TaskRepository tasks;
  private final TaskQueries queries;
  private final CancelRequests cancels;
  private final Clock clock;

  public CancelTask(
      TaskRepository tasks, TaskQueries queries, CancelRequests cancels, Clock clock) {
    this.tasks = tasks;
    this.queries = queries;
    this.cancels = cancels;
    this.clock = clock;
  }

  /** The task after the request: CANCELLED, or still running with a cancel pending. */
  public Task cancel(UUID id, String owner) {
    for (int attempt = 0; attempt < 3; attempt++) {
      Task task = queries.findOwned(id, owner).orElseThrow(() -> new TaskNotFoundException(id));
      if (task.status().isFinal()) {
        throw new TaskStateConflictException(
            task, "task " + id + " is " + task.status() + " already and cannot be cancelled");
      }
      if (task.status() == TaskStatus.QUEUED || task.status() == TaskStatus.WAITING) {
        task.cancel("cancelled before it started", clock.instant());
        if (tasks.update(task)) {
          return task;
        }
        continue; // a worker claimed it meanwhile: read again
      }
      cancels.request(id, clock.instant());
      return queries.findOwned(id, owner).orElseThrow(() -> new TaskNotFoundException(id));
    }
    cancels.request(id, clock.instant());
    return queries.findOwned(id, owner).orElseThrow(() -> new TaskNotFoundException(id));
  }
}
