package io.batchexecutor.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
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
 * The runner's own checks, run with the machine's {@code python3} (no container needed): a payload
 * or an input that does not match the SHA-256 the service gave is refused before anything of it is
 * used — {@code result.json} names it and the exit code is 65, which is never retried.
 */
class RunnerDigestsTest {

  static final Path PYTHON = Path.of("/usr/bin/python3");
  static final String PAYLOAD =
      "{\"source\": \"def task(x, y=0):\\n    return x + y\\n\", \"function\": \"task\","
          + " \"args\": [{\"$task\": \"a\"}], \"kwargs\": {}}";

  final JsonMapper json = JsonMapper.builder().build();
  @TempDir Path dir;
  Path runner;

  @BeforeEach
  void setUp() throws IOException {
    if (!Files.isExecutable(PYTHON) && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(
          "CI must run the runner's checks, but " + PYTHON + " is missing");
    }
    Assumptions.assumeTrue(Files.isExecutable(PYTHON), PYTHON + " is missing: the runner needs it");
    runner = dir.resolve("runner.py");
    Files.write(runner, Runner.script());
    Path input = Files.createDirectories(dir.resolve("inputs/a"));
    Files.writeString(input.resolve("result.json"), "{\"ok\": true, \"value\": 40}");
  }

  @Test
  void aPayloadAndInputsThatMatchTheirDigestsRun() throws Exception {
    Outcome outcome = run(PAYLOAD, sha(PAYLOAD), inputDigest(sha(input())));

    assertThat(outcome.exit).as(outcome.result.toString()).isZero();
    assertThat(outcome.result.get("value").asInt()).isEqualTo(40);
  }

  @Test
  void aPayloadThatDoesNotMatchIsRefusedNamingItAndNothingRuns() throws Exception {
    String altered = PAYLOAD.replace("return x + y", "return 666");

    Outcome outcome = run(altered, sha(PAYLOAD), inputDigest(sha(input())));

    assertThat(outcome.exit).isEqualTo(65);
    assertThat(outcome.result.path("ok").asBoolean()).isFalse();
    assertThat(outcome.result.path("error").path("type").asString()).isEqualTo("PayloadAltered");
    assertThat(outcome.result.path("error").path("message").asString())
        .contains("payload.json")
        .contains("the environment")
        .contains(sha(PAYLOAD))
        .contains(sha(altered));
  }

  @Test
  void anInputThatDoesNotMatchIsRefusedNamingIt() throws Exception {
    Outcome outcome = run(PAYLOAD, sha(PAYLOAD), inputDigest("0".repeat(64)));

    assertThat(outcome.exit).isEqualTo(65);
    assertThat(outcome.result.path("error").path("type").asString()).isEqualTo("InputAltered");
    assertThat(outcome.result.path("error").path("message").asString())
        .contains("the input 'a'")
        .contains("result.json")
        .contains(sha(input()));
  }

  @Test
  void anInputOverAMebibyteIsCheckedAsASmallOneIs() throws Exception {
    // digested by another implementation than small ones (OpenSSL's, through hashlib)
    String large = "{\"ok\": true, \"value\": 40, \"pad\": \"" + "x".repeat(3 << 20) + "\"}";
    Files.writeString(dir.resolve("inputs/a/result.json"), large);

    Outcome matching = run(PAYLOAD, sha(PAYLOAD), inputDigest(sha(large)));
    Outcome altered = run(PAYLOAD, sha(PAYLOAD), inputDigest(sha(large + " ")));

    assertThat(matching.exit).as(matching.result.toString()).isZero();
    assertThat(matching.result.get("value").asInt()).isEqualTo(40);
    assertThat(altered.exit).isEqualTo(65);
    assertThat(altered.result.path("error").path("type").asString()).isEqualTo("InputAltered");
    assertThat(altered.result.path("error").path("message").asString()).contains(sha(large));
  }

  @Test
  void withoutDigestsTheRunnerTakesWhatItIsGivenAsEarlierVersionsDid() throws Exception {
    Outcome outcome = run(PAYLOAD, null, null);

    assertThat(outcome.exit).isZero();
    assertThat(outcome.result.get("value").asInt()).isEqualTo(40);
  }

  private String input() throws IOException {
    return Files.readString(dir.resolve("inputs/a/result.json"));
  }

  private static String inputDigest(String resultJson) {
    return "{\"a\": {\"result.json\": \"" + resultJson + "\"}}";
  }

  private static String sha(String text) {
    return Sha256.hex(text.getBytes(StandardCharsets.UTF_8));
  }

  record Outcome(int exit, JsonNode result) {}

  private Outcome run(String payload, String payloadDigest, String inputDigests) throws Exception {
    Path out = Files.createDirectories(dir.resolve("out-" + System.nanoTime()));
    ProcessBuilder builder =
        new ProcessBuilder(List.of(PYTHON.toString(), runner.toString()))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("output.txt").toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("BATCH_EXECUTOR_") || k.startsWith("AWS_"));
    Map<String, String> given = new HashMap<>();
    given.put("BATCH_EXECUTOR_PAYLOAD_JSON", payload);
    given.put("BATCH_EXECUTOR_OUTPUT_DIR", out.toString());
    given.put("BATCH_EXECUTOR_INPUTS", "{\"a\": \"" + dir.resolve("inputs/a") + "\"}");
    if (payloadDigest != null) {
      given.put("BATCH_EXECUTOR_PAYLOAD_SHA256", payloadDigest);
    }
    if (inputDigests != null) {
      given.put("BATCH_EXECUTOR_INPUT_SHA256", inputDigests);
    }
    env.putAll(given);
    Process process = builder.start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the runner ended").isTrue();
    return new Outcome(
        process.exitValue(), json.readTree(Files.readAllBytes(out.resolve("result.json"))));
  }
}
