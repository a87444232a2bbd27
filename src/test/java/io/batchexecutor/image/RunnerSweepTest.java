package io.batchexecutor.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.task.Sweep;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The order of a sweep's runs is one: the combination {@link Sweep#combination} gives for run
 * {@code i} is the one the runner's {@code sweep_combination} computes from the payload's axes (run
 * with the machine's {@code python3}), for sweeps of several shapes; and a payload in the form
 * written before the axes were sent (every combination listed) still runs.
 */
class RunnerSweepTest {

  final JsonMapper json = JsonMapper.builder().build();
  @TempDir Path dir;
  Path runner;

  @BeforeEach
  void setUp() throws IOException {
    if (!Files.isExecutable(RunnerDigestsTest.PYTHON)
        && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(
          "CI must run the runner's checks, but " + RunnerDigestsTest.PYTHON + " is missing");
    }
    Assumptions.assumeTrue(
        Files.isExecutable(RunnerDigestsTest.PYTHON), "python3 is missing: the runner needs it");
    runner = dir.resolve("runner.py");
    Files.write(runner, Runner.script());
  }

  @Test
  void theOrderIsTheNamesAsGivenTheLastVaryingFastest() {
    JsonNode sweep = json.readTree("{\"b\": [1, 2], \"a\": [\"x\", \"y\", \"z\"]}");

    List<String> runs = new ArrayList<>();
    for (int i = 0; i < Sweep.runCount(sweep); i++) {
      runs.add(json.writeValueAsString(Sweep.combination(sweep, i)));
    }

    assertThat(runs)
        .containsExactly(
            "{\"b\":1,\"a\":\"x\"}",
            "{\"b\":1,\"a\":\"y\"}",
            "{\"b\":1,\"a\":\"z\"}",
            "{\"b\":2,\"a\":\"x\"}",
            "{\"b\":2,\"a\":\"y\"}",
            "{\"b\":2,\"a\":\"z\"}");
  }

  @Test
  void theRunnerComputesTheCombinationJavaComputesForEveryRunOfEveryShape() throws Exception {
    List<String> shapes =
        List.of(
            "{\"C\": [0.1, 1, 10]}",
            "{\"C\": [0.1, 1, 10], \"gamma\": [0.1, 0.7]}",
            "{\"z\": [1, 2], \"a\": [\"x\", \"y\", \"z\"], \"m\": [true, false, null, 4]}",
            "{\"only\": [\"one\"], \"two\": [[1, 2], {\"k\": \"v\"}], \"u\": [\"é\", \"☃\", \"\"]}",
            "{\"a\": [0, 1, 2], \"b\": [0, 1, 2], \"c\": [0, 1, 2], \"d\": [0, 1, 2],"
                + " \"e\": [0, 1, 2], \"f\": [0, 1, 2, 3, 4, 5, 6]}",
            "{\"big\": " + json.writeValueAsString(range(9_999)) + "}");
    for (String shape : shapes) {
      JsonNode sweep = json.readTree(shape);
      List<JsonNode> fromRunner = runnerCombinations(Sweep.payload(sweep));
      assertThat(fromRunner).as(shape).hasSize((int) Sweep.runCount(sweep));
      for (int i = 0; i < fromRunner.size(); i++) {
        ObjectNode expected = Sweep.combination(sweep, i);
        assertThat(fromRunner.get(i)).as(shape + " run " + i).isEqualTo(expected);
        // the same names in the same order: kwargs keep the order the request gave
        assertThat(fromRunner.get(i).propertyNames())
            .containsExactlyElementsOf(expected.propertyNames());
      }
    }
  }

  @Test
  void theListOfEveryCombinationIsTheOrderOfTheRunsAndTheRunnerReadsItToo() throws Exception {
    JsonNode sweep = json.readTree("{\"z\": [1, 2], \"a\": [\"x\", \"y\", \"z\"], \"m\": [3, 4]}");
    ArrayNode expanded = Sweep.expanded(sweep);

    List<JsonNode> fromRunner = runnerCombinations(expanded);

    assertThat(expanded).hasSize(12);
    for (int i = 0; i < 12; i++) {
      assertThat(expanded.get(i)).isEqualTo(Sweep.combination(sweep, i));
      assertThat(fromRunner.get(i)).isEqualTo(Sweep.combination(sweep, i));
    }
  }

  @Test
  void aRunOfEitherFormCallsTheFunctionWithItsCombinationAndARunPastTheEndIsRefused()
      throws Exception {
    JsonNode sweep = json.readTree("{\"a\": [1, 2, 3], \"b\": [\"p\", \"q\"]}");
    for (JsonNode form : List.of(Sweep.payload(sweep), Sweep.expanded(sweep))) {
      for (int i : new int[] {0, 3, 5}) {
        Run run = run(form, i);
        assertThat(run.exit).as(run.output).isZero();
        JsonNode value = json.readTree(Files.readAllBytes(run.out.resolve("result.json")));
        ObjectNode expected = Sweep.combination(sweep, i).put("k", 7);
        assertThat(value.path("value")).as(form + " run " + i).isEqualTo(expected);
      }
      Run past = run(form, 6);
      assertThat(past.exit).as(past.output).isEqualTo(66);
      assertThat(past.output).contains("run 6 of a sweep of 6 runs");
    }
  }

  private static List<Integer> range(int n) {
    List<Integer> values = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      values.add(i);
    }
    return values;
  }

  /** Every run's combination as the runner's {@code sweep_combination} computes it. */
  private List<JsonNode> runnerCombinations(JsonNode payloadSweep) throws Exception {
    Path input = dir.resolve("sweep-" + System.nanoTime() + ".json");
    Files.write(input, json.writeValueAsBytes(payloadSweep));
    String script =
        """
        import importlib.util, json, sys
        spec = importlib.util.spec_from_file_location("runner", sys.argv[1])
        runner = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(runner)
        with open(sys.argv[2], encoding="utf-8") as f:
            sweep = json.load(f)
        runs = len(sweep) if isinstance(sweep, list) else 1
        if isinstance(sweep, dict):
            for values in sweep["product"].values():
                runs *= len(values)
        out = sys.stdout
        for i in range(runs):
            out.write(json.dumps(runner.sweep_combination(sweep, i)) + "\\n")
        """;
    Path output = dir.resolve("combinations-" + System.nanoTime() + ".txt");
    Process process =
        new ProcessBuilder(
                RunnerDigestsTest.PYTHON.toString(),
                "-c",
                script,
                runner.toString(),
                input.toString())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    List<String> lines = Files.readAllLines(output);
    assertThat(process.exitValue()).as(String.join("\n", lines)).isZero();
    List<JsonNode> combinations = new ArrayList<>();
    for (String line : lines) {
      combinations.add(json.readTree(line));
    }
    return combinations;
  }

  record Run(int exit, Path out, String output) {}

  private Run run(JsonNode payloadSweep, int index) throws Exception {
    Path out = Files.createDirectories(dir.resolve("out-" + System.nanoTime()));
    ObjectNode payload = json.createObjectNode();
    payload.put("source", "def task(k, **combination):\n    return dict(combination, k=k)\n");
    payload.put("function", "task");
    payload.putArray("args");
    payload.putObject("kwargs").put("k", 7);
    payload.set("sweep", payloadSweep);
    Path log = dir.resolve("output-" + System.nanoTime() + ".txt");
    ProcessBuilder builder =
        new ProcessBuilder(List.of(RunnerDigestsTest.PYTHON.toString(), runner.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("BATCH_EXECUTOR_") || k.startsWith("AWS_"));
    env.put("BATCH_EXECUTOR_PAYLOAD_JSON", json.writeValueAsString(payload));
    env.put("BATCH_EXECUTOR_OUTPUT_DIR", out.toString());
    env.put("BATCH_EXECUTOR_SWEEP_INDEX", Integer.toString(index));
    Process process = builder.start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the runner ended").isTrue();
    return new Run(process.exitValue(), out, Files.readString(log));
  }
}
