package io.batchexecutor.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds task request bodies for tests: a valid default, changed one named part at a time. */
public final class Tasks {

  private final Map<String, Object> body = new LinkedHashMap<>();
  private final Map<String, Object> executor = new LinkedHashMap<>();

  private Tasks() {
    body.put("name", "add");
    body.put("function", Map.of("source", "def task(x, y):\n    return x + y\n", "name", "task"));
    body.put("args", List.of(1, 2));
    body.put("kwargs", Map.of());
  }

  /** {@code def task(x, y): return x + y} with args [1, 2]. */
  public static Tasks add() {
    return new Tasks();
  }

  /** A function {@code name} with the given source. */
  public static Tasks function(String source, String name) {
    Tasks t = new Tasks();
    t.body.put("function", Map.of("source", source, "name", name));
    t.body.put("args", new ArrayList<>());
    return t;
  }

  public Tasks name(String name) {
    body.put("name", name);
    return this;
  }

  public Tasks set(String field, Object value) {
    body.put(field, value);
    return this;
  }

  public Tasks executor(String key, Object value) {
    executor.put(key, value);
    return this;
  }

  public Map<String, Object> build() {
    Map<String, Object> copy = new LinkedHashMap<>(body);
    if (!executor.isEmpty()) {
      copy.put("executor", executor);
    }
    return copy;
  }
}
