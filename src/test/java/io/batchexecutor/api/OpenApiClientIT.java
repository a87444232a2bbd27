package io.batchexecutor.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.TestRegistry;
import io.batchexecutor.support.aws.TestAwsEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * The OpenAPI document as another language's tools take it, from the running service: Redocly's
 * linter passes it with no error and no warning, and a TypeScript client that OpenAPI Generator
 * makes from it compiles with {@code tsc} and, run by Node, submits a task, reads its result and
 * finds it paging the task list by cursor, re-runs a workflow, and runs a workflow whose tasks run
 * on two backends (the local engine, then AWS Batch as the tests' loopback AWS endpoint has it).
 *
 * <p>The generator comes from the build ({@code target/openapi-generator}); {@code tsc} and {@code
 * redocly} from {@code BATCH_EXECUTOR_TEST_NPM_BIN}, which {@code .ci/provision} installs and sets.
 * Without them (or without Docker, for the task) the tests are skipped, saying why; under {@code
 * CI=true} that is a failure instead. What each tool printed is kept in {@code target/openapi}.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.pipeline.enabled=true",
      // both backends, so that the client can post a workflow that mixes them (AWS Batch: the
      // tests' loopback AWS endpoint, S3Mock for the store both see)
      "batch-executor.backends=local,awsbatch",
      // the base image the client names must be the execution profile's
      "batch-executor.image.base-image=${BATCH_EXECUTOR_TEST_BASE_IMAGE:local/python:3}",
      "batch-executor.awsbatch.region=us-east-1",
      "batch-executor.awsbatch.s3-path-style=true",
      "batch-executor.awsbatch.s3-bucket-name=" + OpenApiClientIT.BUCKET,
      "batch-executor.awsbatch.batch-queue=openapi-queue",
      "batch-executor.awsbatch.poll-freq=1",
      "batch-executor.awsbatch.time-limit=120"
    })
class OpenApiClientIT {

  static final String BUCKET = "batch-executor-openapi";

  @RegisterExtension
  static final TestAwsEndpoint AWS = TestAwsEndpoint.withBucket(BUCKET).withoutEngineCheck();

  @DynamicPropertySource
  static void endpoint(DynamicPropertyRegistry registry) {
    AWS.register(registry);
  }

  static final Path WORK = Path.of("target", "openapi").toAbsolutePath();
  static final Path GENERATOR =
      Path.of("target", "openapi-generator", "openapi-generator-cli.jar").toAbsolutePath();

  /** No telemetry and no update checks from the npm tools: the tests reach loopback only. */
  static final Map<String, String> QUIET =
      Map.of(
          "REDOCLY_TELEMETRY", "off",
          "REDOCLY_SUPPRESS_UPDATE_NOTICE", "true",
          "NO_UPDATE_NOTIFIER", "1");

  @LocalServerPort int port;

  @Test
  void theServedDocumentPassesTheLinterWithNoErrorAndNoWarning() throws Exception {
    Path bin = npmBin();
    Path document = servedDocument();

    Run lint =
        run(
            "lint",
            Duration.ofMinutes(2),
            Map.of(),
            bin.resolve("redocly").toString(),
            "lint",
            "--config",
            resource("openapi/redocly.yaml").toString(),
            "--format=stylish",
            document.toString());

    assertThat(lint.exit()).as(lint.output()).isZero();
    assertThat(lint.output())
        .as(lint.output())
        .contains("Your API description is valid")
        .doesNotContainPattern("(?m)^\\s*\\d+:\\d+\\s+(error|warning)\\s")
        .doesNotContainPattern("You have \\d+ warning");
  }

  @Test
  void aTypeScriptClientGeneratedFromTheDocumentRunsAddAndReadsThree() throws Exception {
    Path bin = npmBin();
    DockerAvailable.assume(DockerAvailable.client());
    TestRegistry.require();
    assertThat(GENERATOR).as("OpenAPI Generator, copied there by ./mvnw verify").exists();
    Path document = servedDocument();
    Path client = WORK.resolve("client");
    deleteRecursively(client);
    Files.createDirectories(client);
    for (String file : List.of("main.ts", "tsconfig.json")) {
      Files.copy(resource("openapi/client/" + file), client.resolve(file));
    }

    Run generate =
        run(
            "generate",
            Duration.ofMinutes(3),
            Map.of(),
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-jar",
            GENERATOR.toString(),
            "generate",
            "--input-spec",
            document.toString(),
            "--generator-name",
            "typescript-fetch",
            "--output",
            client.resolve("generated").toString(),
            "--global-property",
            "apiDocs=false,modelDocs=false,apiTests=false,modelTests=false");
    assertThat(generate.exit()).as(generate.output()).isZero();

    Run compile =
        run(
            "tsc",
            Duration.ofMinutes(3),
            Map.of(),
            bin.resolve("tsc").toString(),
            "--project",
            client.toString());
    assertThat(compile.exit()).as(compile.output()).isZero();

    Run main =
        run(
            "node",
            Duration.ofMinutes(5),
            Map.of(
                "BATCH_EXECUTOR_URL", "http://127.0.0.1:" + port,
                "BATCH_EXECUTOR_TOKEN", Api.TESTER,
                "BASE_IMAGE", DockerAvailable.BASE_IMAGE),
            "node",
            client.resolve("dist").resolve("main.js").toString());
    assertThat(main.exit()).as(main.output()).isZero();
    assertThat(main.output().strip().lines().reduce((first, last) -> last).orElse(""))
        .as(main.output())
        .isEqualTo(
            "{\"status\":\"SUCCEEDED\",\"result\":3,\"listed\":true,\"rerun\":\"SUCCEEDED\","
                + "\"reused\":true,\"mixed\":\"SUCCEEDED\",\"mixedResult\":13,"
                + "\"backends\":\"local,awsbatch\"}");
  }

  /** The document as the running service serves it, written to {@code target/openapi}. */
  private Path servedDocument() throws IOException {
    Api.Response docs = new Api(port).get("/v3/api-docs");
    assertThat(docs.status()).isEqualTo(200);
    Files.createDirectories(WORK);
    Path document = WORK.resolve("api-docs.json");
    Files.writeString(document, docs.text());
    return document;
  }

  /**
   * The directory with {@code tsc} and {@code redocly}, checked to run; skips the test, saying why,
   * where it is missing, and fails it instead under {@code CI=true}.
   */
  private static Path npmBin() {
    String dir = System.getenv("BATCH_EXECUTOR_TEST_NPM_BIN");
    String problem = null;
    if (dir == null || dir.isBlank()) {
      problem =
          "BATCH_EXECUTOR_TEST_NPM_BIN is not set (source .ci/provision to install TypeScript and"
              + " Redocly's CLI and set it)";
    } else if (!Files.isExecutable(Path.of(dir, "tsc"))
        || !Files.isExecutable(Path.of(dir, "redocly"))) {
      problem =
          "BATCH_EXECUTOR_TEST_NPM_BIN=" + dir + " has no tsc or redocly (source .ci/provision)";
    } else {
      try {
        Run node = run("node-version", Duration.ofSeconds(30), Map.of(), "node", "--version");
        if (node.exit() != 0) {
          problem = "node --version failed: " + node.output();
        }
      } catch (IOException e) {
        problem = "no node on the PATH (" + e.getMessage() + ")";
      }
    }
    if (problem != null && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException("CI must run the OpenAPI client tests, but " + problem);
    }
    Assumptions.assumeTrue(problem == null, problem);
    return Path.of(dir);
  }

  /** What a tool did: its exit code and everything it printed. */
  record Run(int exit, String output) {}

  /**
   * Runs {@code command} in {@code target/openapi} with {@code environment} added (and {@link
   * #QUIET}), its output kept in {@code <name>.log}; a run past {@code timeout} is killed.
   */
  private static Run run(
      String name, Duration timeout, Map<String, String> environment, String... command)
      throws IOException {
    Files.createDirectories(WORK);
    Path log = WORK.resolve(name + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(new ArrayList<>(List.of(command)))
            .directory(WORK.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(QUIET);
    builder.environment().putAll(environment);
    Process process = builder.start();
    try {
      if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(
            name + " did not finish within " + timeout + ":\n" + Files.readString(log));
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return new Run(process.exitValue(), Files.readString(log));
  }

  private static Path resource(String name) {
    java.net.URL url = OpenApiClientIT.class.getResource("/" + name);
    if (url == null) {
      throw new IllegalStateException("no test resource " + name);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
