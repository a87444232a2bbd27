package io.batchexecutor.workflow;

import io.batchexecutor.support.Tasks;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds workflow request bodies for tests. */
public final class Workflows {

  private final Map<String, Object> tasks = new LinkedHashMap<>();
  private final String name;

  private Workflows(String name) {
    this.name = name;
  }

  public static Workflows named(String name) {
    return new Workflows(name);
  }

  /** A task {@code key} running {@code source}'s function {@code function} with {@code args}. */
  public Workflows task(String key, String source, String function, List<?> args) {
    tasks.put(key, Tasks.function(source, function).set("args", args).build());
    return this;
  }

  public Workflows task(String key, Map<String, Object> task) {
    tasks.put(key, task);
    return this;
  }

  /** {@code {"$task": key}}. */
  public static Map<String, String> ref(String key) {
    return Map.of("$task", key);
  }

  public Map<String, Object> build() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", name);
    body.put("tasks", tasks);
    return body;
  }
}
