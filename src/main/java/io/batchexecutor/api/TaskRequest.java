package io.batchexecutor.api;

import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.task.TaskSpec;
import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;

/**
 * The body of {@code POST /api/v1/tasks}.
 *
 * @param name a name for people
 * @param function the Python function: its module source and the name to call
 * @param args positional arguments, a JSON array
 * @param kwargs keyword arguments, a JSON object keyed by Python identifiers
 * @param executor settings for this task; what is left out comes from the configuration
 * @param image the image to build the task into
 * @param sweep a parameter sweep: keyword argument names to lists of values; the function runs once
 *     per combination and the result is the list of (combination, result or error)
 * @param after in a workflow only: keys of tasks this one waits for without taking their results
 * @param files files placed in the task's container before the function runs, or taken from it
 *     after
 */
@Schema(
    description = "A Python function to run, with its arguments and optional executor settings",
    example =
        """
        {"name": "add", "function": {"source": "def task(x, y):\\n    return x + y\\n", "name": "task"},
         "args": [1, 2], "kwargs": {}, "executor": {"vcpu": 4, "time_limit": 600},
         "image": {"base_image": "python:3.11-slim", "requirements": []}}""")
public record TaskRequest(
    @Schema(example = "add", maxLength = 256) String name,
    @Schema(requiredMode = Schema.RequiredMode.REQUIRED) TaskSpec.FunctionSpec function,
    @Schema(
            description =
                "Positional arguments: a JSON array of any values; in a workflow, {\"$task\":"
                    + " \"<key>\"} anywhere in it is the result of that task",
            example = "[1, 2]")
        @JsonShape(JsonShape.Kind.ARRAY)
        JsonNode args,
    @Schema(
            description =
                "Keyword arguments: a JSON object of any values, keyed by Python identifiers",
            example = "{\"y\": 2}")
        @JsonShape(JsonShape.Kind.OBJECT)
        JsonNode kwargs,
    TaskSettings executor,
    TaskSpec.ImageSpec image,
    @Schema(
            description =
                "A parameter sweep: keyword argument names to non-empty arrays of values; the"
                    + " function runs once per combination",
            example = "{\"C\": [0.1, 1, 10], \"gamma\": [0.1, 0.7]}")
        @JsonShape(JsonShape.Kind.OBJECT_OF_ARRAYS)
        JsonNode sweep,
    @Schema(
            description =
                "In a workflow only: keys of tasks this one waits for (they must succeed first)"
                    + " without taking their results",
            example = "[\"load\"]")
        java.util.List<String> after,
    @Schema(
            description =
                "Files placed in the task's container before its function runs (from the client's"
                    + " uploads, or S3 on AWS Batch) and taken from it after (kept for the client,"
                    + " or to S3 on AWS Batch)")
        java.util.List<io.batchexecutor.task.FileTransfer> files) {}
