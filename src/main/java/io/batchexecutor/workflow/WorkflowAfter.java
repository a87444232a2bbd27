package io.batchexecutor.workflow;

import io.batchexecutor.task.InvalidTaskException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A workflow task's {@code "after"}: the keys of tasks it waits for without taking their results.
 * They join its dependencies (it WAITS for them, and is cancelled when one fails, as for a
 * reference) but not its inputs: nothing of them is passed to its runner.
 */
final class WorkflowAfter {

  private WorkflowAfter() {}

  /**
   * The keys task {@code key} waits for, each one a task of the workflow other than itself; what is
   * not is added to {@code problems}, under {@code tasks.<key>.after[<i>]}.
   */
  static Set<String> check(
      String key,
      Map<String, List<String>> after,
      Set<String> keys,
      List<InvalidTaskException.Violation> problems) {
    Set<String> waits = new LinkedHashSet<>();
    List<String> given = after.get(key);
    if (given == null) {
      return waits;
    }
    String at = "tasks." + key + ".after";
    if (given.size() > SubmitWorkflow.MAX_TASKS) {
      problems.add(v(at, "names at most " + SubmitWorkflow.MAX_TASKS + " tasks"));
      return waits;
    }
    for (int i = 0; i < given.size(); i++) {
      String other = given.get(i);
      if (other == null || !keys.contains(other)) {
        problems.add(
            v(at + "[" + i + "]", "names '" + other + "', which is not a task of this workflow"));
      } else if (other.equals(key)) {
        problems.add(v(at + "[" + i + "]", "a task cannot wait for itself"));
      } else {
        waits.add(other);
      }
    }
    return waits;
  }

  /**
   * Where a cycle is reported: {@code tasks.<key>.after} of the first task along it that only waits
   * for the one before it, else {@code tasks} (a cycle of references alone).
   */
  static String cycleField(List<String> cycle, Map<String, Set<String>> afterOnly) {
    for (int i = 0; i + 1 < cycle.size(); i++) {
      if (afterOnly.getOrDefault(cycle.get(i + 1), Set.of()).contains(cycle.get(i))) {
        return "tasks." + cycle.get(i + 1) + ".after";
      }
    }
    return "tasks";
  }

  /** Each task's dependencies less those it only waits for: the results it takes. */
  static Map<String, Set<String>> inputs(
      Map<String, Set<String>> dependencies, Map<String, Set<String>> afterOnly) {
    Map<String, Set<String>> inputs = new LinkedHashMap<>();
    dependencies.forEach(
        (key, needs) -> {
          Set<String> taken = new LinkedHashSet<>(needs);
          taken.removeAll(afterOnly.getOrDefault(key, Set.of()));
          inputs.put(key, taken);
        });
    return inputs;
  }

  private static InvalidTaskException.Violation v(String field, String message) {
    return new InvalidTaskException.Violation(field, message);
  }
}
