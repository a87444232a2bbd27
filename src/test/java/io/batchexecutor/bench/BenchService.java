package io.batchexecutor.bench;

import io.batchexecutor.BatchExecutorApplication;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceProcess;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The service started for a benchmark, in this JVM ({@link #start}) or as the packaged jar in its
 * own ({@link #startPackaged}): local backend, a fresh cache directory (so its embedded database
 * holds nothing of an earlier run), a free port, the tests' token, quiet logs. The settings are
 * passed as arguments, so that they win over {@code application.yml}.
 */
final class BenchService implements AutoCloseable {

  private final Running running;
  private final Path cacheDir;
  private final boolean deleteAtClose;
  final Api api;
  final int port;

  /** What runs the service: how much CPU it has used so far, and how it is stopped. */
  private interface Running {

    Duration cpu() throws IOException;

    void stop() throws IOException;
  }

  private BenchService(Running running, int port, Path cacheDir, boolean deleteAtClose) {
    this.running = running;
    this.cacheDir = cacheDir;
    this.deleteAtClose = deleteAtClose;
    this.port = port;
    this.api = new Api(port);
  }

  /** Starts the service; {@code extra} are further {@code name=value} settings. */
  static BenchService start(String... extra) throws IOException {
    return start(freshCacheDir(), true, extra);
  }

  /** A new, empty cache directory. */
  static Path freshCacheDir() throws IOException {
    // world-traversable: the embedded PostgreSQL runs as an unprivileged user under root
    return Files.createTempDirectory(
        Path.of("/tmp"),
        "batch-executor-bench-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
  }

  /**
   * Starts the service on {@code cacheDir} (and the database in it, as an earlier start left it);
   * the directory is deleted at close only when {@code deleteAtClose}.
   */
  static BenchService start(Path cacheDir, boolean deleteAtClose, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--server.port=0",
                "--batch-executor.awsbatch.cache-dir=" + cacheDir,
                "--batch-executor.security.tokens=tester=" + Api.TESTER,
                "--batch-executor.security.operator-token=" + Api.OPERATOR));
    settings(extra).forEach(setting -> args.add("--" + setting));
    ConfigurableApplicationContext app =
        new SpringApplicationBuilder(BatchExecutorApplication.class)
            .run(args.toArray(String[]::new));
    Running running =
        new Running() {
          @Override
          public Duration cpu() {
            return Duration.ofNanos(
                ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime());
          }

          @Override
          public void stop() {
            app.close();
          }
        };
    int port = Integer.parseInt(app.getEnvironment().getRequiredProperty("local.server.port"));
    return new BenchService(running, port, cacheDir, deleteAtClose);
  }

  /**
   * Starts the packaged jar ({@code target/batch-executor-*.jar}, made by {@code ./mvnw package})
   * in its own JVM with no JVM options, as an operator would run it, on a fresh cache directory;
   * its output goes to {@code target/service.log}.
   */
  static BenchService startPackaged(String... extra) throws IOException {
    return startPackagedLoggingTo(Path.of("target", "service.log"), extra);
  }

  /** {@link #startPackaged}, its output going to {@code log}: for two services at once. */
  static BenchService startPackagedLoggingTo(Path log, String... extra) throws IOException {
    return startPackagedOn(log, freshCacheDir(), true, extra);
  }

  /**
   * {@link #startPackagedLoggingTo} on {@code cacheDir} (and the database in it, as an earlier
   * start left it); the directory is deleted at close only when {@code deleteAtClose}.
   */
  static BenchService startPackagedOn(
      Path log, Path cacheDir, boolean deleteAtClose, String... extra) {
    ServiceProcess process =
        ServiceProcess.start(
            List.of(), cacheDir, log, Map.of(), settings(extra).toArray(String[]::new));
    Running running =
        new Running() {
          @Override
          public Duration cpu() throws IOException {
            return processCpu(process.pid());
          }

          @Override
          public void stop() throws IOException {
            try {
              process.stop(); // SIGTERM: Spring closes the context and the embedded database
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IOException("interrupted while the service stopped", e);
            }
          }
        };
    return new BenchService(running, process.port(), cacheDir, deleteAtClose);
  }

  /** The benchmark's settings, {@code name=value}; {@code extra} wins over them. */
  private static List<String> settings(String... extra) {
    String baseImage =
        System.getenv().getOrDefault("BATCH_EXECUTOR_TEST_BASE_IMAGE", "local/python:3");
    List<String> settings =
        new ArrayList<>(
            List.of(
                "batch-executor.backend=local",
                "batch-executor.image.base-image=" + baseImage,
                "logging.level.root=WARN"));
    for (String setting : extra) {
      String key = setting.substring(0, setting.indexOf('=') + 1);
      settings.removeIf(s -> s.startsWith(key)); // given twice, Spring would join the values
      settings.add(setting);
    }
    return settings;
  }

  /** The embedded PostgreSQL's port, from the file it writes under the cache directory. */
  int databasePort() throws IOException {
    return Integer.parseInt(Files.readString(instanceDir(cacheDir).resolve("port")).strip());
  }

  /** The password of the embedded PostgreSQL's user {@code postgres}. */
  String databasePassword() throws IOException {
    return Files.readString(instanceDir(cacheDir).resolve("service-password")).strip();
  }

  /**
   * CPU time the embedded PostgreSQL has used so far: its postmaster, the backends and workers
   * alive now, and those that have ended (which Linux adds to the postmaster's children's time).
   */
  Duration databaseCpu() throws IOException {
    long pid =
        Long.parseLong(
            Files.readAllLines(instanceDir(cacheDir).resolve("data").resolve("postmaster.pid"))
                .get(0)
                .strip());
    Duration alive =
        ProcessHandle.of(pid)
            .orElseThrow()
            .descendants()
            .map(p -> p.info().totalCpuDuration().orElse(Duration.ZERO))
            .reduce(Duration.ZERO, Duration::plus);
    return alive.plus(processCpu(pid));
  }

  /**
   * CPU time of the service's process so far: this JVM's when it runs here (with whatever else runs
   * in it), the packaged jar's JVM's otherwise.
   */
  Duration serviceCpu() throws IOException {
    return running.cpu();
  }

  /** The directory the service keeps its embedded database, images and results in. */
  Path cacheDir() {
    return cacheDir;
  }

  /**
   * A process's own CPU time and that of its children that have ended, from {@code
   * /proc/<pid>/stat}: after the command's closing parenthesis, utime, stime, cutime and cstime are
   * fields 12 to 15, in clock ticks (100 a second on Linux).
   */
  private static Duration processCpu(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = 0;
    for (int i = 11; i <= 14; i++) {
      ticks += Long.parseLong(fields[i]);
    }
    return Duration.ofMillis(ticks * 10);
  }

  private static Path instanceDir(Path cacheDir) {
    return cacheDir.resolve("postgres").resolve("instance");
  }

  /** Deletes a cache directory and everything in it. */
  static void delete(Path cacheDir) throws IOException {
    try (Stream<Path> all = Files.walk(cacheDir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Override
  public void close() throws IOException {
    running.stop();
    if (deleteAtClose) {
      delete(cacheDir);
    }
  }
}
