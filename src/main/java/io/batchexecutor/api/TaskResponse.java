package io.batchexecutor.api;

import io.batchexecutor.backend.ResultDigests;
import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * A task as the API shows it.
 *
 * @param id the task's id
 * @param name its name
 * @param status where it is
 * @param statusReason why it is there, in a sentence
 * @param executor the effective executor settings, with the backend the task runs on
 * @param image the reference of the task's image, once built
 * @param jobDefinitionArn the AWS Batch job definition it was submitted with
 * @param batchJobId its AWS Batch job id
 * @param containerId its container on the local Docker engine
 * @param attempts attempts started so far
 * @param exitCode the exit code of its last attempt
 * @param result where its result is stored ({@code s3://} or {@code file:}); read it at {@code
 *     /result}
 * @param resultSha256 the SHA-256 (hex) of each result file as the service collected it, by file
 *     name ({@code result.json}, and {@code result.pickle} for a value JSON cannot carry); a result
 *     that no longer matches is not served. Check the pickle's bytes against it before unpickling
 *     them. Absent before the result is collected, and for tasks that ended before digests were
 *     kept
 * @param error why it failed: the exception's type and the beginning of its message; the whole
 *     error, with its traceback, at {@code /error}
 * @param cancelRequested whether a cancel was asked for and not yet carried out
 * @param createdAt when it was accepted
 * @param updatedAt when it last changed
 * @param finishedAt when it reached its final status
 * @param workflowId the workflow it belongs to, if any
 * @param workflowKey its key in that workflow
 * @param dependsOn the tasks whose results it takes, by their keys
 * @param sweep for a parameter sweep, its keyword argument names and their values, in the order
 *     they were given, which is the order its runs use: run {@code i} is the {@code i}-th
 *     combination, the last name varying fastest
 */
public record TaskResponse(
    UUID id,
    String name,
    TaskStatus status,
    String statusReason,
    TaskSettings executor,
    String image,
    String jobDefinitionArn,
    String batchJobId,
    String containerId,
    int attempts,
    Integer exitCode,
    String result,
    java.util.Map<String, String> resultSha256,
    ErrorSummary error,
    boolean cancelRequested,
    Instant createdAt,
    Instant updatedAt,
    Instant finishedAt,
    UUID workflowId,
    String workflowKey,
    java.util.Map<String, UUID> dependsOn,
    @Schema(
            description =
                "For a parameter sweep, its keyword argument names and their values, in the order"
                    + " they were given, which is the order its runs use: run i is the i-th"
                    + " combination, the last name varying fastest",
            example = "{\"C\": [0.1, 1, 10], \"gamma\": [0.1, 0.7]}")
        @JsonShape(JsonShape.Kind.OBJECT_OF_ARRAYS)
        JsonNode sweep) {

  static TaskResponse of(Task t) {
    return new TaskResponse(
        t.id(),
        t.name(),
        t.status(),
        t.statusReason(),
        t.settings().backend() == null ? t.settings().withBackend(t.backend()) : t.settings(),
        t.imageRef(),
        t.jobDefinitionArn(),
        t.batchJobId(),
        t.containerId(),
        t.attempts(),
        t.exitCode(),
        t.resultPointer(),
        t.resultDigests().isEmpty() ? null : ResultDigests.ofResult(t),
        ErrorSummary.of(t.error()),
        t.cancelRequested() && !t.status().isFinal(),
        t.createdAt(),
        t.updatedAt(),
        t.finishedAt(),
        t.workflowId(),
        t.workflowKey(),
        t.dependsOn(),
        t.spec().hasSweep() ? t.spec().sweep() : null);
  }
}
