package io.batchexecutor.task;

import io.batchexecutor.config.TaskSettings;

/**
 * A task as a client submits it.
 *
 * @param owner the submitting client
 * @param name a name for people; optional
 * @param spec what to run
 * @param executor settings that override the configured ones; optional
 * @param idempotencyKey makes a retried submission return the first task; optional
 */
public record NewTask(
    String owner, String name, TaskSpec spec, TaskSettings executor, String idempotencyKey) {}
