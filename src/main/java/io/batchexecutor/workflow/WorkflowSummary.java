package io.batchexecutor.workflow;

import io.batchexecutor.task.TaskStatus;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A workflow with what follows from its tasks, worked out by the database in one query (see {@link
 * WorkflowStatus} for the rule).
 *
 * @param workflow the workflow
 * @param status where it is
 * @param taskCounts how many of its tasks are in each status (statuses with none left out), in the
 *     order of a task's life
 * @param finishedAt when its last task ended, once all have
 */
public record WorkflowSummary(
    Workflow workflow,
    WorkflowStatus status,
    Map<TaskStatus, Long> taskCounts,
    Instant finishedAt) {

  /** Keeps the counts in the order of a task's life (QUEUED before SUCCEEDED, ...). */
  public WorkflowSummary {
    Map<TaskStatus, Long> ordered = new EnumMap<>(TaskStatus.class);
    ordered.putAll(taskCounts);
    taskCounts = Collections.unmodifiableMap(ordered);
  }
}
