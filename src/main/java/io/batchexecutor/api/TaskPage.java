package io.batchexecutor.api;

import java.util.List;

/**
 * One page of tasks, newest first.
 *
 * @param items the tasks on this page
 * @param page the page number, from 0
 * @param size the page size asked for
 * @param total how many tasks match in all
 */
public record TaskPage(List<TaskResponse> items, int page, int size, long total) {}
