package io.batchexecutor.api;

import io.batchexecutor.task.TaskStatus;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.media.UUIDSchema;
import java.util.Arrays;
import java.util.List;

/**
 * The schemas of the API's problem documents (RFC 9457), which the OpenAPI document gives every
 * error answer ({@link OpenApiConfiguration#problemDocumentsForErrors}): the standard members, the
 * extension members some problems carry, and the offending fields of a refused request.
 */
final class ProblemSchemas {

  private ProblemSchemas() {}

  /** RFC 9457's members, and the extension members this API adds to some problems. */
  static Schema<?> problem() {
    List<String> statuses = Arrays.stream(TaskStatus.values()).map(Enum::name).toList();
    ObjectSchema problem = new ObjectSchema();
    problem.setRequired(List.of("type", "title", "status"));
    return problem
        .description(
            "An RFC 9457 problem document. Besides the standard members, a problem may carry the"
                + " extension members listed here; a client ignores members it does not know.")
        .addProperty(
            "type",
            new StringSchema()
                .format("uri")
                .description("The kind of problem, stable: urn:problem-type:batch-executor:<kind>")
                .example("urn:problem-type:batch-executor:task-not-found"))
        .addProperty("title", new StringSchema().description("The kind of problem, for people"))
        .addProperty("status", new IntegerSchema().description("The HTTP status code"))
        .addProperty("detail", new StringSchema().description("What went wrong with this request"))
        .addProperty(
            "instance",
            new StringSchema().format("uri-reference").description("The request's path"))
        .addProperty(
            "errors",
            new ArraySchema()
                .items(
                    new Schema<>().$ref("#/components/schemas/" + OpenApiConfiguration.FIELD_ERROR))
                .description("Each offending field of the request (invalid-request and kin)"))
        .addProperty(
            "incident",
            new StringSchema()
                .description("For internal-error: the id under which the service logged it"))
        .addProperty(
            "status_of_task",
            new StringSchema()
                ._enum(statuses)
                .description("For a conflict with a task's state: the task's status"))
        .addProperty(
            "error",
            new Schema<>()
                .$ref("#/components/schemas/ErrorSummary")
                .description("For task-failed: why the task failed"))
        .addProperty(
            "workflow_id",
            new UUIDSchema().description("For task-in-workflow: the workflow the task belongs to"))
        .addProperty(
            "task_counts",
            new ObjectSchema()
                .additionalProperties(new IntegerSchema().format("int64"))
                .description(
                    "For workflow-not-finished: how many of its tasks are in each status"));
  }

  /** One offending field of a request, as a problem's {@code errors} lists it. */
  static Schema<?> fieldError() {
    ObjectSchema fieldError = new ObjectSchema();
    fieldError.setRequired(List.of("field", "message"));
    return fieldError
        .description("One offending field of a request")
        .addProperty(
            "field",
            new StringSchema()
                .description("The field's path, as in the request: executor.vcpu, args[0], ...")
                .example("executor.vcpu"))
        .addProperty(
            "message",
            new StringSchema()
                .description("What is wrong with it")
                .example("must be greater than 0"));
  }
}
