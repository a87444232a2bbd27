package io.batchexecutor.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.FreePorts;
import io.batchexecutor.support.Tasks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The service image and docker-compose.yml as a user runs them: the image built by compose from the
 * packaged jar, PostgreSQL and the service started on the host's network, a task submitted over the
 * API and run on the local engine through the mounted Docker socket, then everything removed. The
 * base images are those {@code .ci/provision} builds (BATCH_EXECUTOR_TEST_JRE_IMAGE and
 * BATCH_EXECUTOR_TEST_POSTGRES_IMAGE); without them, compose or an engine the test is skipped with
 * the reason, and in CI ({@code CI=true}) it fails instead.
 */
class ComposeIT {

  static final Path PROJECT = Path.of("").toAbsolutePath();
  static final Path COMPOSE_FILE = PROJECT.resolve("docker-compose.yml");
  static final Path DOCKER_SOCKET = Path.of("/var/run/docker.sock");
  static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
  static final Duration UP_TIMEOUT = Duration.ofMinutes(2);
  static final Duration HEALTHY_TIMEOUT = Duration.ofMinutes(2);
  static final Duration TASK_TIMEOUT = Duration.ofMinutes(2);

  List<String> compose;
  String jreImage;
  String postgresImage;

  @BeforeEach
  void requirements() {
    jreImage = System.getenv("BATCH_EXECUTOR_TEST_JRE_IMAGE");
    postgresImage = System.getenv("BATCH_EXECUTOR_TEST_POSTGRES_IMAGE");
    String problem = null;
    if (blank(jreImage) || blank(postgresImage)) {
      problem =
          "BATCH_EXECUTOR_TEST_JRE_IMAGE and BATCH_EXECUTOR_TEST_POSTGRES_IMAGE name no base images"
              + " (source .ci/provision to build and name them)";
    } else if (!succeeds(List.of("docker", "version"))) {
      problem = "no Docker engine answers the docker CLI; start dockerd";
    } else if ((compose = composeCommand()) == null) {
      problem = "neither `docker compose` nor `docker-compose` is installed";
    } else if (!Files.exists(DOCKER_SOCKET)) {
      problem = "the engine is not at " + DOCKER_SOCKET + ", which docker-compose.yml mounts";
    } else {
      for (String image : List.of(jreImage, postgresImage, DockerAvailable.BASE_IMAGE)) {
        if (!succeeds(List.of("docker", "image", "inspect", image))) {
          problem = "the base image " + image + " is missing (source .ci/provision to build it)";
          break;
        }
      }
    }
    if (problem != null && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException("CI must run the compose test, but " + problem);
    }
    Assumptions.assumeTrue(problem == null, problem);
  }

  @Test
  void theComposedServiceRunsATaskOnTheLocalEngine() throws Exception {
    assertThat(jar()).as("the jar `./mvnw package` makes, which the image copies").isNotEmpty();

    String project = "batch-executor-it-" + hex(4);
    int port = FreePorts.any();
    int postgresPort = FreePorts.any();
    while (postgresPort == port) {
      postgresPort = FreePorts.any();
    }
    String token = "compose-" + hex(16);
    Map<String, String> env = new LinkedHashMap<>();
    env.put("POSTGRES_IMAGE", postgresImage);
    env.put("RUNTIME_IMAGE", jreImage);
    env.put("POSTGRES_PORT", Integer.toString(postgresPort));
    env.put("POSTGRES_PASSWORD", hex(16));
    env.put("BATCH_EXECUTOR_PORT", Integer.toString(port));
    env.put("BATCH_EXECUTOR_SECURITY_TOKENS", "compose-it=" + token);
    env.put("DOCKER_GID", Files.getAttribute(DOCKER_SOCKET, "unix:gid").toString());
    env.put("BATCH_EXECUTOR_BACKEND", "local");
    // the base image the request names must be the execution profile's (or on its allow-list)
    env.put("BATCH_EXECUTOR_IMAGE_BASE_IMAGE", DockerAvailable.BASE_IMAGE);

    boolean passed = false;
    try {
      run(project, env, BUILD_TIMEOUT, "build");
      run(project, env, UP_TIMEOUT, "up", "-d");
      awaitHealthy(project, env, port);

      Api api = new Api(port).as(token);
      Api.Response submitted =
          api.post(
              "/api/v1/tasks",
              Tasks.function("def add(x, y):\n    return x + y\n", "add")
                  .name("compose-add")
                  .set("args", List.of(2, 3))
                  .set("image", Map.of("base_image", DockerAvailable.BASE_IMAGE))
                  .build());
      assertThat(submitted.status()).as(submitted.text()).isEqualTo(202);
      String id = submitted.json().get("id").asString();

      JsonNode task = api.awaitEnd(id, TASK_TIMEOUT);
      assertThat(task.get("status").asString()).as(task.toString()).isEqualTo("SUCCEEDED");
      Api.Response result = api.get("/api/v1/tasks/" + id + "/result");
      assertThat(result.status()).as(result.text()).isEqualTo(200);
      assertThat(result.json().asInt()).isEqualTo(5);
      assertThat(api.as(null).get("/api/v1/tasks/" + id).status())
          .as("the API wants a token in the container too")
          .isEqualTo(401);
      Exec withoutPassword =
          exec(
              composeArgs(
                  project,
                  "exec",
                  "-T",
                  "postgres",
                  "psql",
                  "-w",
                  "-h",
                  "127.0.0.1",
                  "-p",
                  Integer.toString(postgresPort),
                  "-U",
                  "batch_executor",
                  "-d",
                  "batch_executor",
                  "-c",
                  "SELECT 1"),
              env,
              Duration.ofMinutes(1));
      assertThat(withoutPassword.exitCode())
          .as(
              "PostgreSQL on the host's loopback asks for the password:%n%s",
              withoutPassword.output())
          .isNotZero();
      assertThat(withoutPassword.output()).contains("password");
      passed = true;
    } finally {
      if (!passed) {
        System.err.println(
            "--- compose logs of "
                + project
                + " ---\n"
                + output(project, env, "logs", "--no-color"));
      }
      Exec down =
          exec(
              composeArgs(project, "down", "-v", "--rmi", "local", "--remove-orphans"),
              env,
              UP_TIMEOUT);
      if (passed) {
        assertThat(down.exitCode()).as("compose down: %s", down.output()).isZero();
      } else if (down.exitCode() != 0) {
        System.err.println("--- compose down of " + project + " failed ---\n" + down.output());
      }
    }
  }

  /** Until the service answers its health endpoint with 200; fails early if its container ends. */
  private void awaitHealthy(String project, Map<String, String> env, int port) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest health =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
            .timeout(Duration.ofSeconds(5))
            .build();
    long deadline = System.nanoTime() + HEALTHY_TIMEOUT.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> answer = http.send(health, HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() == 200) {
          return;
        }
        last = answer.statusCode() + " " + answer.body();
      } catch (IOException e) {
        last = e.toString();
      }
      String container =
          output(project, env, "ps", "-q", "batch-executor")
              .lines()
              .map(String::strip)
              .filter(line -> line.matches("[0-9a-f]{12,64}"))
              .findFirst()
              .orElse("");
      String running =
          container.isEmpty()
              ? "false"
              : exec(
                      List.of("docker", "inspect", "-f", "{{.State.Running}}", container),
                      Map.of(),
                      Duration.ofSeconds(30))
                  .output()
                  .strip();
      assertThat(running)
          .as("the service's container runs; last health answer: " + last)
          .isEqualTo("true");
      Thread.sleep(1000);
    }
    throw new AssertionError(
        "the service was not healthy within " + HEALTHY_TIMEOUT + "; last answer: " + last);
  }

  private void run(String project, Map<String, String> env, Duration timeout, String... args) {
    Exec done = exec(composeArgs(project, args), env, timeout);
    assertThat(done.exitCode())
        .as("%s %s:%n%s", String.join(" ", compose), String.join(" ", args), done.output())
        .isZero();
  }

  private String output(String project, Map<String, String> env, String... args) {
    return exec(composeArgs(project, args), env, Duration.ofMinutes(1)).output();
  }

  private List<String> composeArgs(String project, String... args) {
    List<String> command = new ArrayList<>(compose);
    command.addAll(List.of("-f", COMPOSE_FILE.toString(), "-p", project));
    command.addAll(List.of(args));
    return command;
  }

  private static List<String> composeCommand() {
    if (succeeds(List.of("docker", "compose", "version"))) {
      return List.of("docker", "compose");
    }
    if (succeeds(List.of("docker-compose", "version"))) {
      return List.of("docker-compose");
    }
    return null;
  }

  private static List<Path> jar() throws IOException {
    try (var files = Files.list(PROJECT.resolve("target"))) {
      return files
          .filter(f -> f.getFileName().toString().matches("batch-executor-.*\\.jar"))
          .toList();
    }
  }

  record Exec(int exitCode, String output) {}

  private static Exec exec(List<String> command, Map<String, String> env, Duration timeout) {
    Path log = null;
    try {
      log = Files.createTempFile("compose-it", ".log");
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(PROJECT.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
        return new Exec(
            -1,
            "timed out after " + timeout + ":\n" + Files.readString(log, StandardCharsets.UTF_8));
      }
      return new Exec(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Exec(-1, String.join(" ", command) + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      if (log != null) {
        try {
          Files.deleteIfExists(log);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  private static boolean succeeds(List<String> command) {
    return exec(command, Map.of(), Duration.ofSeconds(30)).exitCode() == 0;
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }

  private static String hex(int bytes) {
    byte[] random = new byte[bytes];
    new SecureRandom().nextBytes(random);
    return HexFormat.of().formatHex(random);
  }
}
