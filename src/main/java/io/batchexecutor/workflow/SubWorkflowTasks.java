package io.batchexecutor.workflow;

import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.task.InvalidTaskException;
import io.batchexecutor.task.NewTask;
import io.batchexecutor.task.TaskSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code tasks} of a returned sub-workflow read as the body of {@code POST /api/v1/workflows}
 * has them: each with the fields of {@code POST /api/v1/tasks}, {@code args} an array and {@code
 * kwargs} an object; what is not is a violation naming it.
 */
final class SubWorkflowTasks {

  private static final Set<String> TASK_FIELDS =
      Set.of("name", "function", "args", "kwargs", "executor", "image", "sweep", "after");

  private final JsonMapper json;

  SubWorkflowTasks(JsonMapper json) {
    this.json = json;
  }

  /**
   * The tasks of the sub-workflow as given, each as POST /api/v1/tasks would take it; the keys each
   * one's {@code after} lists go into {@code after}.
   */
  Map<String, NewTask> of(
      String owner,
      JsonNode tasks,
      Map<String, List<String>> after,
      List<InvalidTaskException.Violation> problems) {
    Map<String, NewTask> given = new LinkedHashMap<>();
    if (tasks.isMissingNode() || tasks.isNull()) {
      return given;
    }
    if (!tasks.isObject()) {
      problems.add(v("tasks", "must be an object of tasks by key"));
      return given;
    }
    for (Map.Entry<String, JsonNode> entry : tasks.properties()) {
      String at = "tasks." + entry.getKey();
      JsonNode t = entry.getValue();
      if (!t.isObject()) {
        problems.add(v(at, "must be a task"));
        continue;
      }
      List<String> unknown =
          t.propertyNames().stream().filter(f -> !TASK_FIELDS.contains(f)).toList();
      if (!unknown.isEmpty()) {
        problems.add(v(at + "." + unknown.get(0), "is not a field of a task"));
        continue;
      }
      if (!t.path("args").isMissingNode() && !t.path("args").isNull() && !t.get("args").isArray()) {
        problems.add(v(at + ".args", "must be a JSON array"));
        continue;
      }
      if (!t.path("kwargs").isMissingNode()
          && !t.path("kwargs").isNull()
          && !t.get("kwargs").isObject()) {
        problems.add(v(at + ".kwargs", "must be a JSON object"));
        continue;
      }
      JsonNode waits = t.path("after");
      if (!waits.isMissingNode() && !waits.isNull()) {
        if (!waits.isArray() || !waits.valueStream().allMatch(JsonNode::isString)) {
          problems.add(v(at + ".after", "must be a JSON array of task keys"));
          continue;
        }
        after.put(entry.getKey(), waits.valueStream().map(JsonNode::asString).toList());
      }
      try {
        given.put(
            entry.getKey(),
            new NewTask(
                owner,
                t.path("name").isString() ? t.get("name").asString() : null,
                new TaskSpec(
                    value(t, "function", TaskSpec.FunctionSpec.class),
                    t.get("args"),
                    t.get("kwargs"),
                    value(t, "image", TaskSpec.ImageSpec.class),
                    t.get("sweep")),
                value(t, "executor", TaskSettings.class),
                null));
      } catch (tools.jackson.core.JacksonException e) {
        problems.add(v(at, "is not a task: " + e.getOriginalMessage()));
      }
    }
    return given;
  }

  private <T> T value(JsonNode task, String field, Class<T> type) {
    JsonNode node = task.get(field);
    return node == null || node.isNull() ? null : json.treeToValue(node, type);
  }

  private static InvalidTaskException.Violation v(String field, String message) {
    return new InvalidTaskException.Violation(field, message);
  }
}
