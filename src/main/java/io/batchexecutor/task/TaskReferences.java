package io.batchexecutor.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * References to other tasks' results inside a task's {@code args} and {@code kwargs}: an object
 * that is exactly {@code {"$task": "<key>"}}, anywhere in the arguments. The runner replaces each
 * with the result of the workflow task under that key; any other object is plain data.
 */
public final class TaskReferences {

  /** The one field of a reference. */
  public static final String FIELD = "$task";

  private TaskReferences() {}

  /** A reference and where it stands, e.g. {@code args[0]} or {@code kwargs.model.weights}. */
  public record Reference(String path, String key) {}

  /**
   * Every reference in {@code args} and {@code kwargs}; objects that use {@code $task} in any other
   * shape are added to {@code malformed}.
   */
  public static List<Reference> in(
      JsonNode args, JsonNode kwargs, List<InvalidTaskException.Violation> malformed) {
    List<Reference> found = new ArrayList<>();
    walk(args, "args", found, malformed, 0);
    walk(kwargs, "kwargs", found, malformed, 0);
    return found;
  }

  private static void walk(
      JsonNode node,
      String path,
      List<Reference> found,
      List<InvalidTaskException.Violation> malformed,
      int depth) {
    if (node == null || depth > 1000) {
      return;
    }
    if (node.isObject()) {
      if (node.has(FIELD)) {
        if (node.size() == 1 && node.get(FIELD).isString()) {
          found.add(new Reference(path, node.get(FIELD).asString()));
        } else {
          malformed.add(
              new InvalidTaskException.Violation(
                  path,
                  "a reference to another task's result is {\"$task\": \"<key>\"} and nothing"
                      + " else"));
        }
        return;
      }
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        walk(e.getValue(), path + "." + e.getKey(), found, malformed, depth + 1);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        walk(node.get(i), path + "[" + i + "]", found, malformed, depth + 1);
      }
    }
  }
}
