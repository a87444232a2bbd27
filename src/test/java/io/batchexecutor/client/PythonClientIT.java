package io.batchexecutor.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.ScratchCacheDir;
import io.batchexecutor.support.ServiceProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Python client ({@code clients/python}) end to end: its unittest suite runs with Debian's
 * {@code python3} against the packaged service on the local backend — tasks with JSON and pickled
 * results, a raising task, logs followed, a cancel, lattices whose values cross tasks,
 * requirements, bad input, the command line.
 */
class PythonClientIT {

  /** Debian's interpreter, which CI provisions (another python3 may come first on PATH). */
  static final Path PYTHON = Path.of("/usr/bin/python3");

  static final Path CLIENT = Path.of("clients", "python");

  DockerClient docker;
  Path cacheDir;

  @BeforeEach
  void setUp() throws IOException {
    docker = DockerAvailable.client();
    DockerAvailable.assume(docker);
    if (!Files.isExecutable(PYTHON) && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(
          "CI must run the Python client's tests, but "
              + PYTHON
              + " is missing (source .ci/provision to install it)");
    }
    Assumptions.assumeTrue(
        Files.isExecutable(PYTHON), PYTHON + " is missing: the Python client's tests need it");
    cacheDir = ScratchCacheDir.create("python-client");
  }

  @AfterEach
  void tearDown() throws IOException {
    ScratchCacheDir.remove(cacheDir);
    if (docker != null) {
      docker.close();
    }
  }

  @Test
  void theClientsTestsPassAgainstThePackagedService() throws Exception {
    Path log = cacheDir.resolve("service.log");
    try (ServiceProcess service =
        ServiceProcess.start(
            cacheDir,
            log,
            "batch-executor.backend=local",
            "batch-executor.image.base-image=" + DockerAvailable.BASE_IMAGE,
            "logging.level.root=WARN")) {
      Path output = cacheDir.resolve("python-tests.log");
      ProcessBuilder builder =
          new ProcessBuilder(
                  List.of(
                      PYTHON.toString(),
                      "-m",
                      "unittest",
                      "discover",
                      "-v",
                      "-s",
                      CLIENT.resolve("tests").toString()))
              .redirectErrorStream(true)
              .redirectOutput(output.toFile());
      Map<String, String> env = builder.environment();
      env.put("BATCH_EXECUTOR_URL", service.url());
      env.put("BATCH_EXECUTOR_TOKEN", Api.TESTER);
      env.put("PYTHONPATH", CLIENT.toAbsolutePath().toString());
      env.put("PYTHONDONTWRITEBYTECODE", "1");
      env.remove("BATCH_EXECUTOR_AWSBATCH_CACHE_DIR");
      Process tests = builder.start();
      boolean ended = tests.waitFor(12, TimeUnit.MINUTES);
      if (!ended) {
        tests.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      String text = Files.readString(output, StandardCharsets.UTF_8);

      assertThat(ended).as("the Python tests ended within 12 minutes:%n%s", text).isTrue();
      assertThat(tests.exitValue()).as("the Python tests' output:%n%s", text).isZero();
      assertThat(text)
          .as("every test ran, none skipped:%n%s", text)
          .containsPattern("Ran \\d+ tests")
          .doesNotContain("skipped");
    }
  }
}
