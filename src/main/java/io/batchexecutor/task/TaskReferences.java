package io.batchexecutor.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * References to other tasks' results inside a task's {@code args} and {@code kwargs}: an object
 * {@code {"$task": "<key>"}}, anywhere in the arguments, optionally with a {@code path} of
 * operations the runner applies to that result before the task gets it — an index, a slice, an
 * attribute or an operator — so that {@code res[0]}, {@code res.weights} or {@code a + b} cost no
 * task of their own. The runner replaces each reference with what it stands for; any other object
 * is plain data.
 *
 * <p>A step of a path is one object: {@code {"index": <JSON value or reference>}}, {@code {"slice":
 * [start, stop, step]}} (integers or null), {@code {"attr": "<identifier>"}}, or {@code {"op":
 * "<operator>"}} with {@code "right": <operand>} (the result on the left), {@code "left":
 * <operand>} (on the right), or neither for a unary operator.
 */
public final class TaskReferences {

  /** The field that names the task. */
  public static final String FIELD = "$task";

  /** The field of the operations applied to the result. */
  public static final String PATH = "path";

  /** At most this many steps in one path. */
  public static final int MAX_STEPS = 64;

  /** Operators that take an operand, as Python's {@code operator} module names them. */
  static final Set<String> BINARY =
      Set.of(
          "add",
          "sub",
          "mul",
          "matmul",
          "truediv",
          "floordiv",
          "mod",
          "pow",
          "lshift",
          "rshift",
          "and",
          "xor",
          "or",
          "eq",
          "ne",
          "lt",
          "le",
          "gt",
          "ge");

  /** Operators of the value alone. */
  static final Set<String> UNARY = Set.of("neg", "pos", "abs", "invert");

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,199}");

  private TaskReferences() {}

  /** A reference and where it stands, e.g. {@code args[0]} or {@code kwargs.model.weights}. */
  public record Reference(String path, String key) {}

  /**
   * Every reference in {@code args} and {@code kwargs} (those inside a path's operands too);
   * objects that use {@code $task} in any other shape are added to {@code malformed}.
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
        reference(node, path, found, malformed, depth);
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

  private static void reference(
      JsonNode node,
      String path,
      List<Reference> found,
      List<InvalidTaskException.Violation> malformed,
      int depth) {
    boolean withPath = node.has(PATH);
    if (!node.get(FIELD).isString() || node.size() != (withPath ? 2 : 1)) {
      malformed.add(
          violation(
              path,
              "a reference to another task's result is {\"$task\": \"<key>\"}, with at most a"
                  + " \"path\" of operations beside it"));
      return;
    }
    found.add(new Reference(path, node.get(FIELD).asString()));
    if (!withPath) {
      return;
    }
    JsonNode steps = node.get(PATH);
    String at = path + "." + PATH;
    if (!steps.isArray() || steps.size() > MAX_STEPS) {
      malformed.add(violation(at, "must be an array of at most " + MAX_STEPS + " operations"));
      return;
    }
    for (int i = 0; i < steps.size(); i++) {
      step(steps.get(i), at + "[" + i + "]", found, malformed, depth + 1);
    }
  }

  private static void step(
      JsonNode step,
      String at,
      List<Reference> found,
      List<InvalidTaskException.Violation> malformed,
      int depth) {
    if (step.isObject() && step.size() == 1 && step.has("index")) {
      walk(step.get("index"), at + ".index", found, malformed, depth + 1);
    } else if (step.isObject() && step.size() == 1 && step.has("attr")) {
      if (!step.get("attr").isString()
          || !IDENTIFIER.matcher(step.get("attr").asString()).matches()
          || step.get("attr").asString().startsWith("__")) {
        malformed.add(
            violation(at + ".attr", "must be an attribute name (not starting with '__')"));
      }
    } else if (step.isObject() && step.size() == 1 && step.has("slice")) {
      JsonNode bounds = step.get("slice");
      boolean valid = bounds.isArray() && bounds.size() == 3;
      for (int i = 0; valid && i < 3; i++) {
        valid = bounds.get(i).isNull() || bounds.get(i).isIntegralNumber();
      }
      if (!valid) {
        malformed.add(violation(at + ".slice", "must be [start, stop, step], integers or null"));
      }
    } else if (step.isObject() && step.has("op") && step.get("op").isString()) {
      operator(step, at, found, malformed, depth);
    } else {
      malformed.add(
          violation(
              at,
              "an operation is {\"index\": …}, {\"slice\": [start, stop, step]}, {\"attr\":"
                  + " \"name\"} or {\"op\": \"<operator>\"} with \"right\" or \"left\""));
    }
  }

  private static void operator(
      JsonNode step,
      String at,
      List<Reference> found,
      List<InvalidTaskException.Violation> malformed,
      int depth) {
    String op = step.get("op").asString();
    String side = step.has("right") ? "right" : step.has("left") ? "left" : null;
    if (BINARY.contains(op) && side != null && step.size() == 2) {
      walk(step.get(side), at + "." + side, found, malformed, depth + 1);
    } else if (UNARY.contains(op) && step.size() == 1) {
      return;
    } else {
      malformed.add(
          violation(
              at,
              "'"
                  + op
                  + "': an operator is one of "
                  + String.join(", ", new java.util.TreeSet<>(BINARY))
                  + " with one operand (\"right\" or \"left\"), or one of "
                  + String.join(", ", new java.util.TreeSet<>(UNARY))
                  + " alone"));
    }
  }

  private static InvalidTaskException.Violation violation(String path, String message) {
    return new InvalidTaskException.Violation(path, message);
  }
}
