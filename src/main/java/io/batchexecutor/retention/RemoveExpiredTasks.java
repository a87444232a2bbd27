package io.batchexecutor.retention;

import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskRepository;
import io.batchexecutor.workflow.WorkflowRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what ended longer ago than {@code batch-executor.retention.keep-finished}: a task of no
 * workflow by its own end, a workflow with all its tasks once its last task ended ({@link
 * TaskDeletion}: objects first, rows after, so a failure on the way is tried again next pass).
 */
class RemoveExpiredTasks implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(RemoveExpiredTasks.class);
  static final int BATCH = 200;

  private final TaskRepository tasks;
  private final WorkflowRepository workflows;
  private final TaskDeletion deletion;
  private final Duration keep;
  private final Clock clock;

  RemoveExpiredTasks(
      TaskRepository tasks,
      WorkflowRepository workflows,
      TaskDeletion deletion,
      Duration keep,
      Clock clock) {
    if (keep.isNegative() || keep.isZero()) {
      throw new IllegalArgumentException(
          "batch-executor.retention.keep-finished must be a positive duration, not " + keep);
    }
    this.tasks = tasks;
    this.workflows = workflows;
    this.deletion = deletion;
    this.keep = keep;
    this.clock = clock;
  }

  @Override
  public void run() {
    try {
      int removed = removeExpired();
      if (removed > 0) {
        log.info("Removed {} tasks that ended more than {} ago", removed, keep);
      }
    } catch (RuntimeException e) {
      log.warn("Could not remove expired tasks; trying again later: {}", e.getMessage());
    }
  }

  /** One pass; the number of tasks removed. */
  int removeExpired() {
    Instant cutoff = clock.instant().minus(keep);
    int removed = 0;
    List<Task> alone;
    do {
      alone = tasks.finishedAloneBefore(cutoff, BATCH);
      removed += deletion.deleteTasks(alone);
    } while (alone.size() == BATCH);
    List<UUID> ended;
    do {
      ended = workflows.finishedBefore(cutoff, BATCH);
      for (UUID workflow : ended) {
        removed += deletion.deleteWorkflow(workflow).orElse(0);
      }
    } while (ended.size() == BATCH);
    return removed;
  }
}
