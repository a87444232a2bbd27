package io.batchexecutor.task;

import java.util.UUID;

/**
 * Published after a new task is committed, so that this instance's pipeline starts on it at once.
 */
public record TaskAccepted(UUID taskId) {}
