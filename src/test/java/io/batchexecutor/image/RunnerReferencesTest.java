package io.batchexecutor.image;

import static org.assertj.core.api.Assertions.assertThat;

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
 * The runner applies a reference's path to the result it stands for — indexes, slices, attributes
 * and operators, with operands that are references themselves — so that such an operation costs no
 * task of its own; run with the machine's {@code python3}, no container.
 */
class RunnerReferencesTest {

  static final Path PYTHON = RunnerDigestsTest.PYTHON;
  static final String ECHO = "def task(*args, **kwargs):\\n    return [list(args), kwargs]\\n";

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
    input("pair", "{\"ok\": true, \"value\": [3, 4, 5]}");
    input("model", "{\"ok\": true, \"value\": {\"weights\": [1, 2], \"name\": \"m\"}}");
    input("two", "{\"ok\": true, \"value\": 2}");
  }

  @Test
  void indexesSlicesAndOperatorsAreAppliedToTheResultInOrder() throws Exception {
    JsonNode result =
        run(
            """
            [{"$task": "pair", "path": [{"index": 0}]},
             {"$task": "pair", "path": [{"slice": [1, null, null]}]},
             {"$task": "pair", "path": [{"index": 1}, {"op": "mul", "right": 10}]},
             {"$task": "pair", "path": [{"index": 2}, {"op": "sub", "left": 100}]},
             {"$task": "pair", "path": [{"index": {"$task": "two"}}, {"op": "neg"}]},
             {"$task": "model", "path": [{"index": "weights"}, {"index": -1}]},
             {"$task": "two", "path": [{"op": "lt", "right": {"$task": "pair", "path": [{"index": 0}]}}]},
             {"$task": "two", "path": [{"op": "pow", "right": 10}]},
             {"$task": "two", "path": [{"attr": "real"}]}]""");

    assertThat(result.path("ok").asBoolean()).as(result.toString()).isTrue();
    assertThat(result.get("value").get(0).toString()).isEqualTo("[3,[4,5],40,95,-5,2,true,1024,2]");
  }

  @Test
  void anOperationThatRaisesFailsTheTaskWithItsErrorAndWhereItStood() throws Exception {
    JsonNode result = run("[{\"$task\": \"pair\", \"path\": [{\"index\": 7}]}]");

    assertThat(result.path("ok").asBoolean()).isFalse();
    assertThat(result.path("error").path("type").asString()).isEqualTo("IndexError");
    assertThat(result.path("error").path("message").asString())
        .contains("the result of task 'pair'[7]")
        .contains("list index out of range");
  }

  private void input(String key, String resultJson) throws IOException {
    Files.writeString(
        Files.createDirectories(dir.resolve("inputs").resolve(key)).resolve("result.json"),
        resultJson);
  }

  private JsonNode run(String args) throws Exception {
    Path out = Files.createDirectories(dir.resolve("out-" + System.nanoTime()));
    String payload =
        "{\"source\": \"" + ECHO + "\", \"function\": \"task\", \"args\": " + args + "}";
    ProcessBuilder builder =
        new ProcessBuilder(List.of(PYTHON.toString(), runner.toString()))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("output.txt").toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("BATCH_EXECUTOR_") || k.startsWith("AWS_"));
    Path inputs = dir.resolve("inputs");
    env.put("BATCH_EXECUTOR_PAYLOAD_JSON", payload);
    env.put("BATCH_EXECUTOR_OUTPUT_DIR", out.toString());
    env.put(
        "BATCH_EXECUTOR_INPUTS",
        "{\"pair\": \"%s\", \"model\": \"%s\", \"two\": \"%s\"}"
            .formatted(inputs.resolve("pair"), inputs.resolve("model"), inputs.resolve("two")));
    Process process = builder.start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the runner ended").isTrue();
    return json.readTree(Files.readAllBytes(out.resolve("result.json")));
  }
}
