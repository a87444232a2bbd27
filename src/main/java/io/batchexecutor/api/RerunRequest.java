package io.batchexecutor.api;

import io.batchexecutor.task.TaskSpec;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.LinkedHashMap;
import tools.jackson.databind.JsonNode;

/**
 * The body of {@code POST /api/v1/workflows/{id}/rerun}; every field optional.
 *
 * @param reuse whether a task that SUCCEEDED and is unchanged keeps its result (default true);
 *     false runs every task
 * @param tasks new functions or arguments by task key; what a replacement leaves out stays
 */
@Schema(
    description =
        "How to re-run a workflow: reuse (default true) keeps the results of unchanged tasks that"
            + " succeeded; tasks replaces the function or arguments of the tasks it names",
    example =
        """
        {"reuse": true, "tasks": {"total": {"args": [{"$task": "load"}, 10]}}}""")
public record RerunRequest(Boolean reuse, LinkedHashMap<String, Replacement> tasks) {

  /**
   * A task's new function or arguments, checked as those of {@code POST /api/v1/tasks} are.
   *
   * @param function the new function
   * @param args the new positional arguments
   * @param kwargs the new keyword arguments
   */
  @Schema(
      name = "TaskReplacement",
      description = "A task's new function, args or kwargs; what is left out stays as it was")
  public record Replacement(
      TaskSpec.FunctionSpec function,
      @Schema(
              description =
                  "Positional arguments: a JSON array; {\"$task\": \"<key>\"} in it is the result"
                      + " of that task",
              example = "[1, 2]")
          @JsonShape(JsonShape.Kind.ARRAY)
          JsonNode args,
      @Schema(
              description = "Keyword arguments: a JSON object keyed by Python identifiers",
              example = "{\"y\": 2}")
          @JsonShape(JsonShape.Kind.OBJECT)
          JsonNode kwargs) {}
}
