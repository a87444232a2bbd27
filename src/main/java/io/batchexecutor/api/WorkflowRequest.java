package io.batchexecutor.api;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.LinkedHashMap;

/**
 * The body of {@code POST /api/v1/workflows}.
 *
 * @param name a name for people
 * @param tasks the tasks by key, each as the body of {@code POST /api/v1/tasks}; a value {@code
 *     {"$task": "<key>"}} anywhere in a task's {@code args} or {@code kwargs} stands for the result
 *     of the task under that key
 */
@Schema(
    description =
        "Tasks by key; {\"$task\": \"<key>\"} inside args or kwargs is the result of that task",
    example =
        """
        {"name": "pipeline", "tasks": {
          "load": {"function": {"source": "def load():\\n    return [1, 2, 3]\\n", "name": "load"}},
          "total": {"function": {"source": "def total(xs):\\n    return sum(xs)\\n", "name": "total"},
                    "args": [{"$task": "load"}]}}}""")
public record WorkflowRequest(
    @Schema(example = "pipeline", maxLength = 256) String name,
    @Schema(requiredMode = Schema.RequiredMode.REQUIRED)
        LinkedHashMap<String, TaskRequest> tasks) {}
