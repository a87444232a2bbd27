package io.batchexecutor.workflow;

import io.batchexecutor.task.TaskReferences;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The keys of a sub-workflow's tasks: {@code <returning task's key>/<its key>}, so that {@code /}
 * is reserved in posted keys and a key's depth is its number of {@code /}; the references between
 * its tasks are rewritten to those keys.
 */
final class SubWorkflowKeys {

  private SubWorkflowKeys() {}

  /** Whether {@code output} is just a reference to one of the sub-workflow's tasks. */
  static boolean isBareReference(JsonNode output, Set<String> keys) {
    return output.isObject()
        && output.size() == 1
        && output.path(TaskReferences.FIELD).isString()
        && keys.contains(output.get(TaskReferences.FIELD).asString());
  }

  /**
   * {@code value} with every reference's key put under {@code prefix}: the keys a sub-workflow's
   * tasks refer to each other by become the keys they have in the workflow.
   */
  static JsonNode under(String prefix, JsonNode value) {
    if (value == null) {
      return null;
    }
    JsonNode copy = value.deepCopy();
    rewrite(prefix, copy);
    return copy;
  }

  private static void rewrite(String prefix, JsonNode node) {
    if (node.isObject()) {
      ObjectNode object = (ObjectNode) node;
      JsonNode key = object.get(TaskReferences.FIELD);
      if (key != null && key.isString()) {
        object.put(TaskReferences.FIELD, prefix + key.asString());
      }
      object.forEach(child -> rewrite(prefix, child));
    } else if (node.isArray()) {
      node.forEach(child -> rewrite(prefix, child));
    }
  }

  /** How deep a key is nested: 0 for a posted task, 1 for a task of its sub-workflow, ... */
  static int depth(String key) {
    return key == null ? 0 : (int) key.chars().filter(c -> c == '/').count();
  }
}
