package io.batchexecutor.api;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/**
 * One page of tasks, newest first ({@code created_at} then {@code id}, both descending).
 *
 * @param items the tasks on this page
 * @param size the page size asked for
 * @param nextCursor give it as {@code cursor} for the next (older) page; null on the last page
 * @param page the page number asked for (deprecated {@code page} parameter), null with a cursor
 * @param total how many tasks match in all, exactly: counted from the tasks in flight and from
 *     totals kept per client and final status, never by reading the history
 * @param totalExact always true for tasks: {@code total} is the exact number
 */
public record TaskPage(
    List<TaskResponse> items,
    int size,
    @Schema(nullable = true) String nextCursor,
    @Schema(nullable = true, deprecated = true) Integer page,
    long total,
    boolean totalExact) {}
