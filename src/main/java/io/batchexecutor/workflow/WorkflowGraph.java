package io.batchexecutor.workflow;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Which task of a workflow takes whose result: checks that it is a DAG, finds a cycle if not. */
final class WorkflowGraph {

  private final Map<String, Set<String>> dependencies; // key -> keys it depends on

  WorkflowGraph(Map<String, Set<String>> dependencies) {
    this.dependencies = dependencies;
  }

  /** A cycle as the keys along it, first key repeated at the end; empty for a DAG. */
  Optional<List<String>> cycle() {
    Map<String, Integer> state = new HashMap<>(); // 1 on the path, 2 done
    for (String start : dependencies.keySet()) {
      if (state.containsKey(start)) {
        continue;
      }
      // iterative depth-first search, so that a chain of 1,000 tasks needs no deep stack
      Deque<String> path = new ArrayDeque<>();
      Deque<java.util.Iterator<String>> next = new ArrayDeque<>();
      path.push(start);
      next.push(dependencies.getOrDefault(start, Set.of()).iterator());
      state.put(start, 1);
      while (!path.isEmpty()) {
        if (next.peek().hasNext()) {
          String child = next.peek().next();
          Integer seen = state.get(child);
          if (seen == null) {
            state.put(child, 1);
            path.push(child);
            next.push(dependencies.getOrDefault(child, Set.of()).iterator());
          } else if (seen == 1) {
            List<String> cycle = new ArrayList<>();
            List<String> onPath = new ArrayList<>(path);
            java.util.Collections.reverse(onPath);
            cycle.addAll(onPath.subList(onPath.indexOf(child), onPath.size()));
            cycle.add(child);
            // the path runs from a task to what it depends on; show it as "feeds" order
            java.util.Collections.reverse(cycle);
            return Optional.of(cycle);
          }
        } else {
          state.put(path.pop(), 2);
          next.pop();
        }
      }
    }
    return Optional.empty();
  }
}
