package io.batchexecutor.workflow;

import io.batchexecutor.task.NewTask;
import java.util.Map;

/**
 * A workflow as a client submits it.
 *
 * @param owner the submitting client
 * @param name a name for people; optional
 * @param tasks the tasks by their keys, in the order given; arguments may refer to other tasks'
 *     results with {@code {"$task": "<key>"}}
 * @param idempotencyKey makes a retried submission return the first workflow; optional
 */
public record NewWorkflow(
    String owner, String name, Map<String, NewTask> tasks, String idempotencyKey) {}
