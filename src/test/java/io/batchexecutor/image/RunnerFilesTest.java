package io.batchexecutor.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * The runner's file transfers, run with the machine's {@code python3}: an upload placed at its path
 * before the function (checked against its id), the file the function left kept as {@code
 * file-<index>} beside the result, and each failure said as such — an upload that does not match
 * its id, a path that cannot be written, a file the function did not leave.
 */
class RunnerFilesTest {

  static final Path PYTHON = Path.of("/usr/bin/python3");
  static final String SOURCE =
      "def task():\\n"
          + "    text = open(IN).read()\\n"
          + "    open(OUT, 'w').write(text.upper())\\n"
          + "    return len(text)\\n";

  final JsonMapper json = JsonMapper.builder().build();
  @TempDir Path dir;
  Path runner;
  Path uploads;
  Path out;
  String id;
  String bound;

  @BeforeEach
  void setUp() throws IOException {
    if (!Files.isExecutable(PYTHON) && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(
          "CI must run the runner's checks, but " + PYTHON + " is missing");
    }
    Assumptions.assumeTrue(Files.isExecutable(PYTHON), PYTHON + " is missing: the runner needs it");
    runner = dir.resolve("runner.py");
    Files.write(runner, Runner.script());
    uploads = Files.createDirectories(dir.resolve("uploads"));
    byte[] data = "hello, files".getBytes(StandardCharsets.UTF_8);
    id = Sha256.hex(data);
    Files.write(uploads.resolve(id), data);
    out = Files.createDirectories(dir.resolve("out"));
  }

  @Test
  void anUploadIsPlacedBeforeTheFunctionAndWhatItLeftIsKept() throws Exception {
    Path in = dir.resolve("work/in.txt");
    Path written = dir.resolve("work/out.txt");

    Outcome outcome =
        run(
            source(in, written),
            "[{\"path\": \""
                + in
                + "\", \"upload\": \""
                + id
                + "\"},"
                + " {\"path\": \""
                + written
                + "\", \"order\": \"after\"}]");

    assertThat(outcome.exit).as(outcome.result.toString()).isZero();
    assertThat(outcome.result.get("value").asInt()).isEqualTo(12);
    assertThat(Files.readString(out.resolve("file-1"))).isEqualTo("HELLO, FILES");
    assertThat(out.resolve("file-0")).as("a file placed before is not kept").doesNotExist();
  }

  @Test
  void anUploadThatDoesNotMatchItsIdIsRefusedAndTheFunctionDoesNotRun() throws Exception {
    Files.writeString(uploads.resolve(id), "changed");
    Path written = dir.resolve("work/out.txt");

    Outcome outcome =
        run(
            source(dir.resolve("in.txt"), written),
            "[{\"path\": \"" + dir.resolve("in.txt") + "\", \"upload\": \"" + id + "\"}]");

    assertThat(outcome.exit).isEqualTo(65);
    assertThat(outcome.result.at("/error/type").asString()).isEqualTo("InputAltered");
    assertThat(outcome.result.at("/error/message").asString()).contains(id);
    assertThat(written).doesNotExist();
  }

  @Test
  void aPathThatCannotBeWrittenFailsTheTaskBeforeTheFunction() throws Exception {
    Path blocker = Files.writeString(dir.resolve("blocker"), "a file, not a directory");
    Path in = blocker.resolve("in.txt");

    Outcome outcome =
        run(
            source(in, dir.resolve("out.txt")),
            "[{\"path\": \"" + in + "\", \"upload\": \"" + id + "\"}]");

    assertThat(outcome.exit).isEqualTo(65);
    assertThat(outcome.result.at("/error/type").asString()).isEqualTo("FileTransferFailed");
    assertThat(outcome.result.at("/error/message").asString()).contains("files[0]", in.toString());
  }

  @Test
  void aFileTheFunctionDidNotLeaveFailsTheTask() throws Exception {
    Path in = dir.resolve("in.txt");

    Outcome outcome =
        run(
            source(in, dir.resolve("out.txt")),
            "[{\"path\": \""
                + in
                + "\", \"upload\": \""
                + id
                + "\"},"
                + " {\"path\": \""
                + dir.resolve("never.txt")
                + "\", \"order\": \"after\"}]");

    assertThat(outcome.exit).isEqualTo(65);
    assertThat(outcome.result.at("/error/type").asString()).isEqualTo("FileNotFoundError");
    assertThat(outcome.result.at("/error/message").asString()).contains("files[1]", "never.txt");
  }

  @Test
  void aKeptFileOverTheBoundFailsTheTaskAndIsNotKept() throws Exception {
    Path in = dir.resolve("work/in.txt");
    Path written = dir.resolve("work/out.txt");
    bound = "11"; // the file the function leaves has 12 bytes

    Outcome outcome =
        run(
            source(in, written),
            "[{\"path\": \""
                + in
                + "\", \"upload\": \""
                + id
                + "\"},"
                + " {\"path\": \""
                + written
                + "\", \"order\": \"after\"}]");

    assertThat(outcome.exit).isEqualTo(65);
    assertThat(outcome.result.at("/error/type").asString()).isEqualTo("KeptFileTooLarge");
    assertThat(outcome.result.at("/error/message").asString())
        .contains("files[1]", "12 bytes", "11", "max-result-size");
    assertThat(out.resolve("file-1")).doesNotExist();
  }

  private static String source(Path in, Path out) {
    return "IN = '" + in + "'\\nOUT = '" + out + "'\\n" + SOURCE;
  }

  record Outcome(int exit, JsonNode result) {}

  private Outcome run(String source, String files) throws Exception {
    String payload =
        "{\"source\": \""
            + source
            + "\", \"function\": \"task\", \"args\": [], \"kwargs\": {}, \"files\": "
            + files
            + "}";
    ProcessBuilder builder =
        new ProcessBuilder(List.of(PYTHON.toString(), runner.toString()))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("output.txt").toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("BATCH_EXECUTOR_") || k.startsWith("AWS_"));
    env.put("BATCH_EXECUTOR_PAYLOAD_JSON", payload);
    env.put("BATCH_EXECUTOR_OUTPUT_DIR", out.toString());
    env.put("BATCH_EXECUTOR_UPLOADS_DIR", uploads.toString());
    if (bound != null) {
      env.put("BATCH_EXECUTOR_MAX_KEPT_FILE_SIZE", bound);
    }
    Process process = builder.start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the runner ended").isTrue();
    return new Outcome(
        process.exitValue(), json.readTree(Files.readAllBytes(out.resolve("result.json"))));
  }
}
