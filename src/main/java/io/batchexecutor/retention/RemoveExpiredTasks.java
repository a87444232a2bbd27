package io.batchexecutor.retention;

import io.batchexecutor.backend.TaskObjects;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskRepository;
import io.batchexecutor.workflow.WorkflowRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what ended longer ago than {@code batch-executor.retention.keep-finished}: a task of no
 * workflow by its own end, a workflow with all its tasks once its last task ended. A task's objects
 * (result, pickle, logs, build log, sweep runs) go first, then its rows; a failure on the way
 * leaves the rows, so the next pass tries again. Only final tasks are ever deleted.
 */
class RemoveExpiredTasks implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(RemoveExpiredTasks.class);
  static final int BATCH = 200;

  private final TaskRepository tasks;
  private final WorkflowRepository workflows;
  private final ObjectStores stores;
  private final Duration keep;
  private final Clock clock;

  RemoveExpiredTasks(
      TaskRepository tasks,
      WorkflowRepository workflows,
      ObjectStores stores,
      Duration keep,
      Clock clock) {
    if (keep.isNegative() || keep.isZero()) {
      throw new IllegalArgumentException(
          "batch-executor.retention.keep-finished must be a positive duration, not " + keep);
    }
    this.tasks = tasks;
    this.workflows = workflows;
    this.stores = stores;
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
      alone.forEach(this::deleteObjects);
      removed += tasks.deleteFinished(alone.stream().map(Task::id).toList());
    } while (alone.size() == BATCH);
    List<UUID> ended;
    do {
      ended = workflows.finishedBefore(cutoff, BATCH);
      for (UUID workflow : ended) {
        List<Task> of = tasks.inWorkflow(workflow);
        of.forEach(this::deleteObjects);
        if (workflows.deleteFinished(workflow)) {
          removed += of.size();
        }
      }
    } while (ended.size() == BATCH);
    return removed;
  }

  /** Everything stored under the task's prefix, wherever its pointers say it is. */
  private void deleteObjects(Task task) {
    String prefix = TaskObjects.key(task, "");
    Set<String> under = new LinkedHashSet<>();
    String located = stores.primary().locate(task.settings().s3BucketName(), prefix).toString();
    under.add(located.endsWith("/") ? located : located + "/");
    for (String pointer : new String[] {task.resultPointer(), task.logsPointer()}) {
      if (pointer != null && pointer.contains(prefix)) {
        under.add(pointer.substring(0, pointer.indexOf(prefix) + prefix.length()));
      }
    }
    under.forEach(stores::deleteUnder);
  }
}
