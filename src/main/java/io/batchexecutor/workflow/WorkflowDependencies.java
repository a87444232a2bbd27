package io.batchexecutor.workflow;

import java.util.Map;
import java.util.Set;

/**
 * A workflow's edges, checked: what each task depends on, and of those the tasks whose results it
 * takes (its inputs; the rest it only waits for, by its {@code after}).
 *
 * @param all each task's key to the keys it waits for
 * @param inputs each task's key to the keys whose results it takes
 */
record WorkflowDependencies(Map<String, Set<String>> all, Map<String, Set<String>> inputs) {}
