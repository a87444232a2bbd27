package io.batchexecutor.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI document the service serves describes the JSON the API takes and gives, not the Java
 * classes behind it: what a client generated from it in any language needs.
 */
@ServiceTest
class OpenApiDocumentTest {

  @LocalServerPort int port;
  JsonNode document;
  String text;

  @BeforeEach
  void fetch() {
    Api.Response docs = new Api(port).as(null).get("/v3/api-docs");
    assertThat(docs.status()).isEqualTo(200);
    text = docs.text();
    document = docs.json();
  }

  @Test
  void noImplementationClassLeaksIntoTheDocument() {
    for (String leak :
        List.of(
            "JsonNode",
            "node_type",
            "integral_number",
            "floating_point_number",
            "missing_node",
            "value_node",
            "pojo",
            "big_decimal")) {
      assertThat(text).as("the document names " + leak).doesNotContain(leak);
    }
    List<String> bare = new ArrayList<>();
    walk(document, "#", bare);
    assertThat(bare)
        .as("an object schema says what it holds: its properties, or its values' schema")
        .isEmpty();
  }

  @Test
  void argumentsKeywordArgumentsAndSweepsAreTheJsonTheyHold() {
    JsonNode task = schema("TaskRequest").get("properties");
    assertThat(shape(task.get("args"))).isEqualTo("{\"type\":\"array\",\"items\":{}}");
    assertThat(shape(task.get("kwargs")))
        .isEqualTo("{\"type\":\"object\",\"additionalProperties\":{}}");
    assertThat(shape(task.get("sweep")))
        .isEqualTo(
            "{\"type\":\"object\",\"additionalProperties\":{\"type\":\"array\",\"items\":{}}}");
    assertThat(task.get("args").get("description").asString()).contains("JSON array");
    assertThat(task.get("args").get("example").toString()).isEqualTo("[1,2]");
    assertThat(schema("TaskRequest").get("required").toString()).contains("\"function\"");
  }

  @Test
  void reRunsAndPartialCancelsAreDescribedWithTheirBodies() {
    JsonNode paths = document.get("paths");
    JsonNode rerun = paths.get("/api/v1/workflows/{id}/rerun").get("post");
    assertThat(rerun.get("operationId").asString()).isEqualTo("rerunWorkflow");
    assertThat(rerun.get("responses").has("202")).isTrue();
    assertThat(rerun.get("responses").has("400")).isTrue();
    assertThat(rerun.get("responses").has("404")).isTrue();
    assertThat(rerun.get("requestBody").path("required").asBoolean(false)).isFalse();
    JsonNode body = schema("RerunRequest").get("properties");
    assertThat(body.get("reuse").get("type").asString()).isEqualTo("boolean");
    JsonNode replacement = schema("TaskReplacement").get("properties");
    assertThat(shape(replacement.get("args"))).isEqualTo("{\"type\":\"array\",\"items\":{}}");
    assertThat(shape(replacement.get("kwargs")))
        .isEqualTo("{\"type\":\"object\",\"additionalProperties\":{}}");
    JsonNode workflow = schema("WorkflowResponse").get("properties");
    assertThat(workflow.has("rerun_of")).isTrue();
    assertThat(workflow.get("reruns").get("type").asString()).isEqualTo("array");
    assertThat(schema("WorkflowTask").get("properties").has("reused_from")).isTrue();

    JsonNode cancel = paths.get("/api/v1/workflows/{id}/cancel").get("post");
    assertThat(cancel.get("requestBody").path("required").asBoolean(false)).isFalse();
    assertThat(cancel.get("responses").has("400")).isTrue();
    assertThat(schema("CancelRequest").get("properties").get("tasks").get("type").asString())
        .isEqualTo("array");
  }

  @Test
  void valuesOfAnyJsonTypeHaveASchemaWithoutAType() {
    assertThat(shape(schema("WorkflowResponse").get("properties").get("outputs")))
        .isEqualTo("{\"type\":\"object\",\"additionalProperties\":{}}");
    assertThat(shape(schema("TaskEvent").get("properties").get("details")))
        .isEqualTo("{\"type\":\"object\",\"additionalProperties\":{}}");

    JsonNode result =
        document
            .get("paths")
            .get("/api/v1/tasks/{id}/result")
            .get("get")
            .get("responses")
            .get("200")
            .get("content");
    assertThat(shape(result.get("application/json").get("schema"))).isEqualTo("{}");
    assertThat(shape(result.get("application/octet-stream").get("schema")))
        .isEqualTo("{\"type\":\"string\",\"format\":\"binary\"}");
    JsonNode logs =
        document
            .get("paths")
            .get("/api/v1/tasks/{id}/logs")
            .get("get")
            .get("responses")
            .get("200")
            .get("content");
    assertThat(shape(logs.get("text/plain").get("schema"))).isEqualTo("{\"type\":\"string\"}");
  }

  @Test
  void executorSettingsCarryTheirBounds() {
    JsonNode settings = schema("TaskSettings").get("properties");
    assertThat(settings.get("vcpu").get("exclusiveMinimum").asInt()).isZero();
    assertThat(settings.get("vcpu").has("minimum")).isFalse();
    assertThat(settings.get("vcpu").get("maximum").asInt()).isEqualTo(4096);
    assertThat(settings.get("memory").get("exclusiveMinimum").asInt()).isZero();
    assertThat(settings.get("num_gpus").get("minimum").asInt()).isZero();
    assertThat(settings.get("retry_attempts").get("minimum").asInt()).isEqualTo(1);
    assertThat(settings.get("time_limit").get("minimum").asInt()).isEqualTo(1);
    assertThat(settings.get("poll_freq").get("minimum").asInt()).isEqualTo(1);
  }

  @Test
  void errorsTimesAndIdsAreDescribedAsOnTheWire() {
    JsonNode problem = schema("ProblemDetail").get("properties");
    assertThat(problem.has("properties")).as("ProblemDetail's Java map of extras").isFalse();
    assertThat(problem.get("errors").get("items").get("$ref").asString())
        .isEqualTo("#/components/schemas/FieldError");
    assertThat(problem.has("incident")).isTrue();
    assertThat(schema("FieldError").get("required").toString())
        .isEqualTo("[\"field\",\"message\"]");
    JsonNode response = schema("TaskResponse").get("properties");
    assertThat(response.get("created_at").get("format").asString()).isEqualTo("date-time");
    assertThat(response.get("finished_at").get("format").asString()).isEqualTo("date-time");
    assertThat(response.get("id").get("format").asString()).isEqualTo("uuid");
    assertThat(response.get("error").get("$ref").asString())
        .isEqualTo("#/components/schemas/ErrorSummary");
    assertThat(schema("ErrorSummary").get("properties").has("traceback"))
        .as("a task's view carries no traceback")
        .isFalse();
    assertThat(schema("TaskError").get("properties").has("traceback")).isTrue();
    assertThat(schema("TaskEvent").get("properties").get("at").get("format").asString())
        .isEqualTo("date-time");
  }

  @Test
  void everyOperationIsNamedAndDescribedWithItsParameters() {
    Set<String> ids = new HashSet<>();
    document
        .get("paths")
        .properties()
        .forEach(
            path ->
                path.getValue()
                    .properties()
                    .forEach(
                        method -> {
                          String where = method.getKey() + " " + path.getKey();
                          JsonNode operation = method.getValue();
                          assertThat(operation.path("summary").asString(""))
                              .as(where + " summary")
                              .isNotBlank();
                          assertThat(operation.path("description").asString(""))
                              .as(where + " description")
                              .isNotBlank();
                          String id = operation.path("operationId").asString("");
                          assertThat(id).as(where + " operationId").matches("[a-z][A-Za-z]+");
                          assertThat(ids.add(id)).as(where + " operationId unique").isTrue();
                          for (JsonNode parameter : operation.path("parameters")) {
                            assertThat(parameter.path("description").asString(""))
                                .as(where + " parameter " + parameter.path("name").asString())
                                .isNotBlank();
                          }
                          assertThat(operation.get("responses").has("401"))
                              .as(where + " answers 401 without a valid token")
                              .isTrue();
                          assertThat(operation.get("responses").has("403"))
                              .as(where + " answers 403 to the operator's token")
                              .isTrue();
                        }));
    assertThat(ids)
        .contains(
            "submitTask",
            "getTask",
            "getTaskResult",
            "submitWorkflow",
            "getWorkflow",
            "getExecutor");
  }

  @Test
  void theDashboardKnowsEveryStatusTheDocumentNamesInItsOrder() throws Exception {
    String statusJs =
        java.nio.file.Files.readString(
            java.nio.file.Path.of("src/main/resources/static/assets/js/status.js"));
    assertThat(jsList(statusJs, "TASK_STATUSES"))
        .isEqualTo(enumOf(schema("TaskResponse").get("properties").get("status")));
    assertThat(jsList(statusJs, "WORKFLOW_STATUSES"))
        .isEqualTo(enumOf(schema("WorkflowResponse").get("properties").get("status")));
  }

  /** The strings of {@code export const name = [...]} in a dashboard module. */
  private static List<String> jsList(String source, String name) {
    java.util.regex.Matcher list =
        java.util.regex.Pattern.compile(
                "export const " + name + " = \\[([^\\]]*)\\]", java.util.regex.Pattern.DOTALL)
            .matcher(source);
    assertThat(list.find()).as(name + " in status.js").isTrue();
    List<String> values = new ArrayList<>();
    java.util.regex.Matcher item =
        java.util.regex.Pattern.compile("'([A-Z_]+)'").matcher(list.group(1));
    while (item.find()) {
      values.add(item.group(1));
    }
    return values;
  }

  private List<String> enumOf(JsonNode property) {
    JsonNode schema = property;
    if (schema.has("$ref")) {
      String ref = schema.get("$ref").asString();
      schema = schema(ref.substring(ref.lastIndexOf('/') + 1));
    }
    assertThat(schema.has("enum")).as("an enum: " + property).isTrue();
    List<String> values = new ArrayList<>();
    schema.get("enum").forEach(v -> values.add(v.asString()));
    return values;
  }

  private JsonNode schema(String name) {
    JsonNode schema = document.get("components").get("schemas").get(name);
    assertThat(schema).as("schema " + name).isNotNull();
    return schema;
  }

  /** A schema without its words for people (description, example), as compact JSON. */
  private static String shape(JsonNode schema) {
    assertThat(schema).isNotNull();
    JsonNode copy = schema.deepCopy();
    strip(copy);
    return copy.toString();
  }

  private static void strip(JsonNode node) {
    if (node instanceof ObjectNode object) {
      object.remove(List.of("description", "example", "examples"));
      object.forEach(OpenApiDocumentTest::strip);
    }
  }

  /** Collects each object schema under {@code node} that says nothing of what it holds. */
  private static void walk(JsonNode node, String at, List<String> bare) {
    if (node.isObject()) {
      boolean object =
          "object".equals(node.path("type").asString(""))
              || (node.path("type").isArray() && node.path("type").toString().contains("object"));
      if (object
          && !node.has("properties")
          && !node.has("additionalProperties")
          && !node.has("$ref")
          && !node.has("allOf")
          && !node.has("oneOf")
          && !node.has("anyOf")) {
        bare.add(at);
      }
      node.properties().forEach(e -> walk(e.getValue(), at + "/" + e.getKey(), bare));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        walk(node.get(i), at + "/" + i, bare);
      }
    }
  }
}
