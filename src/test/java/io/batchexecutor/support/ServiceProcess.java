package io.batchexecutor.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The packaged service ({@code target/batch-executor-*.jar}) as a child process on 127.0.0.1, to be
 * killed for real ({@code kill -9}) and started again on the same cache directory and database.
 */
public final class ServiceProcess implements AutoCloseable {

  /**
   * The JVM options of the tests' services: a capped heap, so that several fit beside each other;
   * the client compiler only and the serial collector, which halve the CPU a start takes (a test
   * service lives for seconds to a minute and mostly waits on Docker, where the optimizing
   * compiler's threads only compete with the test for the build's cores).
   */
  public static final List<String> TEST_JVM_OPTIONS =
      List.of("-Xmx384m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  private final Process process;
  private final int port;
  private final Path log;

  private ServiceProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts the packaged service and waits until it answers. */
  public static ServiceProcess start(Path cacheDir, Path log, String... properties) {
    return start(cacheDir, log, java.util.Map.of(), properties);
  }

  /** Starts the packaged service with {@code environment} added to its own, and waits for it. */
  public static ServiceProcess start(
      Path cacheDir, Path log, java.util.Map<String, String> environment, String... properties) {
    return start(TEST_JVM_OPTIONS, cacheDir, log, environment, properties);
  }

  /**
   * Starts the packaged service without waiting for it: several started this way come up side by
   * side; {@link #awaitUp()} waits for each.
   */
  public static ServiceProcess launch(Path cacheDir, Path log, String... properties) {
    return launch(cacheDir, log, java.util.Map.of(), properties);
  }

  /** {@link #launch(Path, Path, String...)} with {@code environment} added to its own. */
  public static ServiceProcess launch(
      Path cacheDir, Path log, java.util.Map<String, String> environment, String... properties) {
    return launch(TEST_JVM_OPTIONS, cacheDir, log, environment, properties);
  }

  /**
   * Starts the packaged service with {@code jvmOptions} (the tests' own start caps the heap, so
   * that several fit beside each other; a benchmark runs it as an operator would, with none).
   */
  public static ServiceProcess start(
      List<String> jvmOptions,
      Path cacheDir,
      Path log,
      java.util.Map<String, String> environment,
      String... properties) {
    ServiceProcess service = launch(jvmOptions, cacheDir, log, environment, properties);
    service.awaitUp();
    return service;
  }

  private static ServiceProcess launch(
      List<String> jvmOptions,
      Path cacheDir,
      Path log,
      java.util.Map<String, String> environment,
      String... properties) {
    try {
      Path jar = jar();
      int port = FreePorts.any();
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(jvmOptions);
      command.add("-jar");
      command.add(jar.toString());
      command.add("--server.port=" + port);
      command.add("--batch-executor.awsbatch.cache-dir=" + cacheDir);
      command.add("--batch-executor.security.tokens=tester=" + Api.TESTER);
      command.add("--batch-executor.security.operator-token=" + Api.OPERATOR);
      for (String property : properties) {
        command.add("--" + property);
      }
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().putAll(environment);
      return new ServiceProcess(builder.start(), port, log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Api api() {
    return new Api(port);
  }

  /** The port it answers on, on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** Its process id, e.g. to read its CPU time from {@code /proc}. */
  public long pid() {
    return process.pid();
  }

  /** Where it answers: {@code http://127.0.0.1:<port>}. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** SIGKILL: no shutdown hook, no lease given back, nothing cleaned up. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM: a graceful stop. */
  public void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop();
    }
  }

  /**
   * Waits until the service answers as live; kills it and throws if it does not within two minutes,
   * or throws once its process has exited.
   */
  public void awaitUp() {
    try {
      await("the service's liveness")
          .atMost(START_TIMEOUT)
          .pollInterval(Duration.ofMillis(100))
          .until(this::live);
    } catch (ConditionTimeoutException e) {
      process.destroyForcibly();
      throw new IllegalStateException(
          "the service did not come up within " + START_TIMEOUT + "; see " + log, e);
    }
  }

  /** Whether the service answers as live; throws once its process has exited. */
  private boolean live() {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "the service exited with " + process.exitValue() + "; see " + log);
    }
    try {
      return api().get("/actuator/health/liveness").status() == 200;
    } catch (RuntimeException e) {
      return false; // not up yet
    }
  }

  private static Path jar() throws IOException {
    try (var files = Files.list(Path.of("target"))) {
      return files
          .filter(p -> p.getFileName().toString().matches("batch-executor-.*\\.jar"))
          .filter(p -> !p.getFileName().toString().endsWith("-plain.jar"))
          .findFirst()
          .orElseThrow(
              () -> new IllegalStateException("no packaged jar in target/: run ./mvnw verify"))
          .toAbsolutePath();
    }
  }
}
