package io.batchexecutor.task;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Where a task is. WAITING is a workflow task whose dependencies have not all succeeded; nothing
 * works on it until they have. The pipeline's own steps come next (QUEUED to SUBMITTED), then the
 * statuses that AWS Batch reports (mirrored by the local backend where they apply), then the final
 * ones. The allowed moves are in {@link #canMoveTo}; a final status is never left.
 */
public enum TaskStatus {
  WAITING,
  QUEUED,
  BUILDING,
  PUSHING,
  REGISTERING,
  SUBMITTED,
  PENDING,
  RUNNABLE,
  STARTING,
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  private static final Map<TaskStatus, Set<TaskStatus>> ALLOWED = new EnumMap<>(TaskStatus.class);

  static {
    Set<TaskStatus> ends = EnumSet.of(SUCCEEDED, FAILED, CANCELLED);
    Set<TaskStatus> onBatch = EnumSet.of(PENDING, RUNNABLE, STARTING, RUNNING);
    allow(WAITING, union(EnumSet.of(QUEUED), EnumSet.of(FAILED, CANCELLED)));
    allow(QUEUED, union(EnumSet.of(BUILDING), EnumSet.of(FAILED, CANCELLED)));
    allow(BUILDING, union(EnumSet.of(PUSHING, SUBMITTED), EnumSet.of(FAILED, CANCELLED)));
    allow(PUSHING, union(EnumSet.of(REGISTERING), EnumSet.of(FAILED, CANCELLED)));
    allow(REGISTERING, union(EnumSet.of(SUBMITTED), EnumSet.of(FAILED, CANCELLED)));
    allow(SUBMITTED, union(onBatch, ends));
    // a task whose function returned a sub-workflow WAITS for it, and then takes its output
    ALLOWED.get(WAITING).add(SUCCEEDED);
    // Batch retries send an attempt back through RUNNABLE, so the running statuses move freely.
    for (TaskStatus status : onBatch) {
      Set<TaskStatus> next = union(onBatch, ends);
      next.remove(status);
      allow(status, next);
    }
    ALLOWED.get(SUBMITTED).add(WAITING);
    onBatch.forEach(status -> ALLOWED.get(status).add(WAITING));
    for (TaskStatus end : ends) {
      allow(end, EnumSet.noneOf(TaskStatus.class));
    }
  }

  private static void allow(TaskStatus from, Set<TaskStatus> to) {
    ALLOWED.put(from, to);
  }

  private static Set<TaskStatus> union(Set<TaskStatus> a, Set<TaskStatus> b) {
    Set<TaskStatus> all = EnumSet.noneOf(TaskStatus.class);
    all.addAll(a);
    all.addAll(b);
    return all;
  }

  /** Whether a task in this status may move to {@code next}. */
  public boolean canMoveTo(TaskStatus next) {
    return ALLOWED.get(this).contains(next);
  }

  /** SUCCEEDED, FAILED or CANCELLED: nothing more happens to the task. */
  public boolean isFinal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }

  /** The statuses a task never leaves, as SQL literals for queries. */
  public static final String FINAL_SQL = "('SUCCEEDED','FAILED','CANCELLED')";
}
