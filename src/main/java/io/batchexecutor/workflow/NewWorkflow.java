package io.batchexecutor.workflow;

import io.batchexecutor.task.NewTask;
import java.util.List;
import java.util.Map;

/**
 * A workflow as a client submits it.
 *
 * @param owner the submitting client
 * @param name a name for people; optional
 * @param tasks the tasks by their keys, in the order given; arguments may refer to other tasks'
 *     results with {@code {"$task": "<key>"}}
 * @param idempotencyKey makes a retried submission return the first workflow; optional
 * @param after for each task key that has them, the keys of the tasks it waits for without taking
 *     their results ({@code "after": [...]}); never null
 */
public record NewWorkflow(
    String owner,
    String name,
    Map<String, NewTask> tasks,
    String idempotencyKey,
    Map<String, List<String>> after) {

  public NewWorkflow {
    after = after == null ? Map.of() : after;
  }

  /** A workflow whose tasks wait only for the tasks whose results they take. */
  public NewWorkflow(String owner, String name, Map<String, NewTask> tasks, String idempotencyKey) {
    this(owner, name, tasks, idempotencyKey, Map.of());
  }
}
