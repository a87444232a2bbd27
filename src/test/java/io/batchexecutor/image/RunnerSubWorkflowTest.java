package io.batchexecutor.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.runner.RunnerContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A function that returns the runner's {@code SubWorkflow} gets a result of its own kind ({@code
 * "workflow"}), which a plain dict of the same shape never gets; run with the machine's {@code
 * python3}, no container.
 */
class RunnerSubWorkflowTest {

  static final Path PYTHON = RunnerDigestsTest.PYTHON;

  final JsonMapper json = JsonMapper.builder().build();
  @TempDir Path dir;
  Path runner;

  @BeforeEach
  void setUp() throws IOException {
    if (!Files.isExecutable(PYTHON) && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(
          "CI must run the runner's tests, but " + PYTHON + " is missing");
    }
    Assumptions.assumeTrue(Files.isExecutable(PYTHON), PYTHON + " is missing: the runner needs it");
    runner = dir.resolve("runner.py");
    Files.write(runner, Runner.script());
  }

  static final String FAN_OUT =
      """
      from batch_executor_task import SubWorkflow

      SQUARE = "def square(x):\\n    return x * x\\n"

      def task(n):
          tasks = {str(i): {"function": {"source": SQUARE, "name": "square"}, "args": [i]}
                   for i in range(n)}
          return SubWorkflow(tasks, [{"$task": str(i)} for i in range(n)], name="squares")
      """;

  @Test
  void aReturnedSubWorkflowIsWrittenAsAWorkflowResult() throws Exception {
    JsonNode result = run(FAN_OUT, "[3]");

    assertThat(result.path("ok").asBoolean()).as(result.toString()).isTrue();
    assertThat(result.has("value")).isFalse();
    JsonNode workflow = result.get(RunnerContract.WORKFLOW_KEY);
    assertThat(workflow.get("tasks").propertyNames()).containsExactly("0", "1", "2");
    assertThat(workflow.get("tasks").get("2").get("args").toString()).isEqualTo("[2]");
    assertThat(workflow.get("output").toString())
        .isEqualTo("[{\"$task\":\"0\"},{\"$task\":\"1\"},{\"$task\":\"2\"}]");
    assertThat(workflow.get("name").asString()).isEqualTo("squares");
  }

  @Test
  void aPlainDictOfTheSameShapeIsAValue() throws Exception {
    JsonNode result =
        run("def task(n):\n    return {\"workflow\": {\"tasks\": {}, \"output\": n}}\n", "[3]");

    assertThat(result.has(RunnerContract.WORKFLOW_KEY)).isFalse();
    assertThat(result.get("value").toString())
        .isEqualTo("{\"workflow\":{\"tasks\":{},\"output\":3}}");
  }

  @Test
  void aSubWorkflowThatJsonCannotCarryIsTheFunctionsError() throws Exception {
    JsonNode result =
        run(
            "from batch_executor_task import SubWorkflow\n"
                + "def task(n):\n    return SubWorkflow({\"a\": object()}, None)\n",
            "[3]");

    assertThat(result.path("ok").asBoolean()).isFalse();
    assertThat(result.path("error").path("type").asString()).isEqualTo("TypeError");
    assertThat(result.path("error").path("message").asString()).contains("JSON values");
  }

  private JsonNode run(String source, String args) throws Exception {
    Path out = Files.createDirectories(dir.resolve("out-" + System.nanoTime()));
    String payload =
        json.writeValueAsString(
            Map.of("source", source, "function", "task", "args", json.readTree(args)));
    ProcessBuilder builder =
        new ProcessBuilder(List.of(PYTHON.toString(), runner.toString()))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("output.txt").toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("BATCH_EXECUTOR_") || k.startsWith("AWS_"));
    env.put(RunnerContract.PAYLOAD_JSON, payload);
    env.put(RunnerContract.OUTPUT_DIR, out.toString());
    Process process = builder.start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the runner ended").isTrue();
    return json.readTree(Files.readAllBytes(out.resolve(RunnerContract.RESULT_FILE)));
  }
}
