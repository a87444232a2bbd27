package io.batchexecutor.task;

import java.time.Instant;
import java.util.Map;

/**
 * One entry in a task's append-only history.
 *
 * @param at when it happened
 * @param kind {@link EventKind#STATUS} for a change of status; other kinds record what happened
 *     within one (an attempt, a lease given back, a cancel request)
 * @param fromStatus the status before, for {@code STATUS} events
 * @param toStatus the status after, for {@code STATUS} events
 * @param reason a human-readable reason
 * @param details further facts (exit code, attempt number, log stream ...)
 */
public record TaskEvent(
    Instant at,
    EventKind kind,
    TaskStatus fromStatus,
    TaskStatus toStatus,
    String reason,
    Map<String, Object> details) {}
