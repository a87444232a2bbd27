package io.batchexecutor.api;

import io.batchexecutor.task.TaskStatus;
import java.util.Map;

/**
 * How many tasks the caller has, in all and in each status.
 *
 * @param counts the number of tasks in each status (statuses with none left out)
 * @param total how many tasks the caller has in all
 */
public record TaskCounts(Map<TaskStatus, Long> counts, long total) {}
