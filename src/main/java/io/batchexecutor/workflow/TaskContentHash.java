package io.batchexecutor.workflow;

import io.batchexecutor.task.TaskSpec;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a workflow task computes, as one SHA-256: its function (source and name), its arguments and
 * keyword arguments, its sweep, the image it runs in (base image and requirements) and, for each
 * key it takes a result from, that task's own hash. Two tasks with the same hash compute the same
 * result from the same inputs, so a re-run reuses the earlier result instead of running again.
 * Keyword arguments and JSON objects count by their content, not their order; how the call reaches
 * the image (staged or baked), the resources and the time limit do not count: they change how a
 * task runs, not what it returns.
 */
final class TaskContentHash {

  private final JsonMapper json;
  private final Map<String, TaskSpec> specs;
  private final Map<String, Set<String>> dependencies;
  private final Map<String, String> hashes = new HashMap<>();

  /**
   * @param specs each task's spec by key
   * @param dependencies the keys each task takes results from (a DAG)
   */
  TaskContentHash(
      JsonMapper json, Map<String, TaskSpec> specs, Map<String, Set<String>> dependencies) {
    this.json = json;
    this.specs = specs;
    this.dependencies = dependencies;
  }

  /** The hash of task {@code key}. */
  String of(String key) {
    String known = hashes.get(key);
    if (known != null) {
      return known;
    }
    TaskSpec spec = specs.get(key);
    Map<String, Object> identity = new LinkedHashMap<>();
    identity.put("function", spec.function());
    identity.put("args", canonical(spec.args()));
    identity.put("kwargs", canonical(spec.kwargs()));
    identity.put("sweep", canonical(spec.sweep()));
    if (spec.hasFiles()) {
      // an upload is named by its content: other bytes are another task (a task without files
      // hashes as before)
      identity.put("files", spec.files());
    }
    identity.put(
        "image",
        spec.image() == null
            ? null
            : List.of(
                String.valueOf(spec.image().baseImage()),
                spec.image().requirements() == null ? List.of() : spec.image().requirements()));
    Map<String, String> inputs = new TreeMap<>();
    // the graph is a DAG, checked before: the recursion ends (a chain is at most 1,000 tasks)
    dependencies.getOrDefault(key, Set.of()).forEach(d -> inputs.put(d, of(d)));
    identity.put("inputs", inputs);
    try {
      String hash =
          HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256").digest(json.writeValueAsBytes(identity)));
      hashes.put(key, hash);
      return hash;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code node} with every object's members in name order, so that their order does not count. */
  static Object canonical(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isObject()) {
      Map<String, Object> members = new TreeMap<>();
      node.properties().forEach(e -> members.put(e.getKey(), canonical(e.getValue())));
      return members;
    }
    if (node.isArray()) {
      List<Object> items = new ArrayList<>();
      node.forEach(item -> items.add(canonical(item)));
      return items;
    }
    return node;
  }
}
