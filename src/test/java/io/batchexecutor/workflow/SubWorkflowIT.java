package io.batchexecutor.workflow;

import static io.batchexecutor.workflow.Workflows.ref;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.ServiceTest;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Sub-workflows returned by tasks, on the local backend with the real engine: their tasks join the
 * workflow under the returning task's key, and its value becomes their output.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      "batch-executor.backend=local",
      "batch-executor.image.base-image=${BATCH_EXECUTOR_TEST_BASE_IMAGE:local/python:3}"
    })
class SubWorkflowIT {

  @LocalServerPort int port;
  Api api;

  @BeforeEach
  void engine() {
    DockerAvailable.assume(DockerAvailable.client());
    api = new Api(port);
  }

  /** Squares 0..n-1 in n tasks, sums them in one more; a composite output of two of them. */
  static final String FAN_OUT =
      """
      from batch_executor_task import SubWorkflow

      SQUARE = "def square(x):\\n    return x * x\\n"
      TOTAL = "def total(*xs):\\n    return sum(xs)\\n"

      def fan(n):
          tasks = {str(i): {"function": {"source": SQUARE, "name": "square"}, "args": [i]}
                   for i in range(n)}
          tasks["sum"] = {"function": {"source": TOTAL, "name": "total"},
                          "args": [{"$task": str(i)} for i in range(n)]}
          return SubWorkflow(tasks, {"$task": "sum"})

      def pair(n):
          tasks = {"a": {"function": {"source": SQUARE, "name": "square"}, "args": [n]}}
          return SubWorkflow(tasks, {"squared": {"$task": "a"},
                                     "tenfold": {"$task": "a", "path": [{"op": "mul", "right": 10}]}})
      """;

  @Test
  void aTaskFansOutIntoAsManyTasksAsItsInputSaysAndItsDependantTakesTheFanIn() {
    String id =
        submit(
            Workflows.named("fan-out")
                .task("n", "def n():\n    return 4\n", "n", List.of())
                .task("fan", FAN_OUT, "fan", List.of(ref("n")))
                .task("pair", FAN_OUT, "pair", List.of(3))
                .task(
                    "report",
                    "def report(total, pair):\n    return [total + 1, pair]\n",
                    "report",
                    List.of(ref("fan"), ref("pair"))));

    JsonNode workflow = awaitWorkflow(id, w -> w.get("finished_at").isString());

    assertThat(workflow.get("status").asString()).as(workflow.toString()).isEqualTo("SUCCEEDED");
    JsonNode tasks = workflow.get("tasks");
    assertThat(tasks.propertyNames())
        .contains("fan/0", "fan/1", "fan/2", "fan/3", "fan/sum", "pair/a", "pair/$output")
        .doesNotContain("fan/4", "fan/$output");
    assertThat(tasks.get("fan/sum").get("depends_on").toString())
        .isEqualTo("[\"fan/0\",\"fan/1\",\"fan/2\",\"fan/3\"]");
    assertThat(tasks.get("fan").get("status").asString()).isEqualTo("SUCCEEDED");
    assertThat(result(workflow, "fan").asInt()).isEqualTo(0 + 1 + 4 + 9);
    assertThat(result(workflow, "pair").toString()).isEqualTo("{\"squared\":9,\"tenfold\":90}");
    assertThat(workflow.get("outputs").get("report").toString())
        .isEqualTo("[15,{\"squared\":9,\"tenfold\":90}]");
  }

  static final String INVALID =
      """
      from batch_executor_task import SubWorkflow

      ECHO = "def echo(x):\\n    return x\\n"

      def unknown_reference():
          return SubWorkflow({"a": {"function": {"source": ECHO, "name": "echo"},
                                    "args": [{"$task": "nowhere"}]}}, {"$task": "a"})

      def too_many():
          tasks = {str(i): {"function": {"source": ECHO, "name": "echo"}, "args": [i]}
                   for i in range(1001)}
          return SubWorkflow(tasks, {"$task": "0"})

      def slash():
          return SubWorkflow({"a/b": {"function": {"source": ECHO, "name": "echo"}, "args": [1]}},
                             {"$task": "a/b"})
      """;

  @Test
  void anInvalidSubWorkflowOrOneOverTheLimitsFailsItsTaskNamingTheFieldOrLimit() {
    String id =
        submit(
            Workflows.named("invalid-sub-workflows")
                .task("unknown", INVALID, "unknown_reference", List.of())
                .task("many", INVALID, "too_many", List.of())
                .task("slash", INVALID, "slash", List.of())
                .task("after", "def f(x):\n    return x\n", "f", List.of(ref("unknown"))));

    JsonNode workflow = awaitWorkflow(id, w -> w.get("finished_at").isString());

    assertThat(workflow.get("status").asString()).as(workflow.toString()).isEqualTo("FAILED");
    JsonNode tasks = workflow.get("tasks");
    assertThat(tasks.size()).as("nothing of them was added").isEqualTo(4);
    assertThat(tasks.get("unknown").get("status").asString()).isEqualTo("FAILED");
    assertThat(tasks.get("unknown").get("status_reason").asString())
        .contains("invalid sub-workflow")
        .contains("tasks.a.args[0]")
        .contains("'nowhere'");
    assertThat(task(workflow, "unknown").get("error").get("type").asString())
        .isEqualTo("InvalidSubWorkflow");
    assertThat(tasks.get("many").get("status_reason").asString())
        .contains("1005 tasks")
        .contains("at most 1000");
    assertThat(tasks.get("slash").get("status_reason").asString())
        .contains("tasks.a/b")
        .contains("'/' is reserved");
    assertThat(tasks.get("after").get("status").asString()).isEqualTo("CANCELLED");
  }

  /** Returns a sub-workflow of one task that runs this function again, one level lower. */
  static final String NEST =
      """
      from batch_executor_task import SubWorkflow

      def nest(level, source):
          if level == 0:
              return "bottom"
          deeper = {"function": {"source": source, "name": "nest"}, "args": [level - 1, source]}
          return SubWorkflow({"deeper": deeper}, [{"$task": "deeper"}, level])
      """;

  @Test
  void subWorkflowsNestAndTheDepthIsBounded() {
    String id =
        submit(
            Workflows.named("nested")
                .task("nest", NEST, "nest", List.of(2, NEST))
                .task("deep", NEST, "nest", List.of(9, NEST)));

    JsonNode workflow = awaitWorkflow(id, w -> w.get("finished_at").isString());

    JsonNode tasks = workflow.get("tasks");
    assertThat(tasks.get("nest").get("status").asString())
        .as(workflow.toString())
        .isEqualTo("SUCCEEDED");
    assertThat(tasks.propertyNames()).contains("nest/deeper", "nest/deeper/deeper");
    assertThat(result(workflow, "nest").toString()).isEqualTo("[[\"bottom\",1],2]");
    String fifth = "deep" + "/deeper".repeat(5);
    assertThat(tasks.propertyNames()).contains(fifth).doesNotContain(fifth + "/deeper");
    assertThat(tasks.get(fifth).get("status_reason").asString())
        .contains("batch-executor.workflows.max-sub-workflow-depth is 5");
    assertThat(tasks.get("deep").get("status").asString()).isEqualTo("FAILED");
    assertThat(tasks.get("deep").get("status_reason").asString())
        .isEqualTo("its sub-workflow's task '" + fifth + "' FAILED");
    assertThat(workflow.get("status").asString()).isEqualTo("FAILED");
  }

  // ---- helpers -------------------------------------------------------------------------------

  private String submit(Workflows workflow) {
    Api.Response response = api.post("/api/v1/workflows", workflow.build());
    assertThat(response.status()).as(response.text()).isEqualTo(202);
    return response.json().get("id").asString();
  }

  private JsonNode awaitWorkflow(String id, Predicate<JsonNode> until) {
    return api.awaitWorkflow(id, until, Duration.ofSeconds(240));
  }

  private JsonNode task(JsonNode workflow, String key) {
    return api.get("/api/v1/tasks/" + workflow.get("tasks").get(key).get("id").asString()).json();
  }

  private JsonNode result(JsonNode workflow, String key) {
    return api.get(
            "/api/v1/tasks/" + workflow.get("tasks").get(key).get("id").asString() + "/result")
        .json();
  }
}
