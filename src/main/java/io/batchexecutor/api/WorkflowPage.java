package io.batchexecutor.api;

import java.util.List;

/**
 * One page of workflows, newest first.
 *
 * @param items the workflows on this page, each as {@code GET /api/v1/workflows/{id}} shows it
 * @param page the page number, from 0
 * @param size the page size asked for
 * @param total how many workflows the caller has
 */
public record WorkflowPage(List<WorkflowResponse> items, int page, int size, long total) {}
