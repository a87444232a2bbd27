package io.batchexecutor.retention;

import io.batchexecutor.task.DeleteTask;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskQueries;
import io.batchexecutor.workflow.DeleteWorkflow;
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
 * DeleteTask}, {@link DeleteWorkflow}: objects first, rows after, so a failure on the way is tried
 * again next pass).
 */
class RemoveExpiredTasks implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(RemoveExpiredTasks.class);
  static final int BATCH = 200;

  private final TaskQueries tasks;
  private final WorkflowRepository workflows;
  private final DeleteTask deleteTask;
  private final DeleteWorkflow deleteWorkflow;
  private final Duration keep;
  private final Clock clock;

  RemoveExpiredTasks(
      TaskQueries tasks,
      WorkflowRepository workflows,
      DeleteTask deleteTask,
      DeleteWorkflow deleteWorkflow,
      Duration keep,
      Clock clock) {
    if (keep.isNegative() || keep.isZero()) {
      throw new IllegalArgumentException(
          "batch-executor.retention.keep-finished must be a positive duration, not " + keep);
    }
    this.tasks = tasks;
    this.workflows = workflows;
    this.deleteTask = deleteTask;
    this.deleteWorkflow = deleteWorkflow;
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
      removed += deleteTask.deleteAll(alone);
    } while (alone.size() == BATCH);
    List<UUID> ended;
    do {
      ended = workflows.finishedBefore(cutoff, BATCH);
      for (UUID workflow : ended) {
        removed += deleteWorkflow.delete(workflow).orElse(0);
      }
    } while (ended.size() == BATCH);
    return removed;
  }
}
