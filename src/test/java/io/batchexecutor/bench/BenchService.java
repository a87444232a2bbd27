package io.batchexecutor.bench;

import io.batchexecutor.BatchExecutorApplication;
import io.batchexecutor.support.Api;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The service started in-process for a benchmark: local backend, a fresh cache directory (so its
 * embedded database holds nothing of an earlier run), a free port, the tests' token, quiet logs.
 * The settings are passed as arguments, so that they win over {@code application.yml}.
 */
final class BenchService implements AutoCloseable {

  private final ConfigurableApplicationContext app;
  private final Path cacheDir;
  private final boolean deleteAtClose;
  final Api api;
  final int port;

  private BenchService(ConfigurableApplicationContext app, Path cacheDir, boolean deleteAtClose) {
    this.app = app;
    this.cacheDir = cacheDir;
    this.deleteAtClose = deleteAtClose;
    this.port = Integer.parseInt(app.getEnvironment().getRequiredProperty("local.server.port"));
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
    String baseImage =
        System.getenv().getOrDefault("BATCH_EXECUTOR_TEST_BASE_IMAGE", "local/python:3");
    List<String> args =
        new ArrayList<>(
            List.of(
                "--server.port=0",
                "--batch-executor.backend=local",
                "--batch-executor.image.base-image=" + baseImage,
                "--batch-executor.awsbatch.cache-dir=" + cacheDir,
                "--batch-executor.security.tokens=tester=" + Api.TESTER,
                "--logging.level.root=WARN"));
    for (String setting : extra) {
      String key = setting.substring(0, setting.indexOf('=') + 1);
      args.removeIf(a -> a.startsWith("--" + key)); // given twice, Spring would join the values
      args.add("--" + setting);
    }
    return new BenchService(
        new SpringApplicationBuilder(BatchExecutorApplication.class)
            .run(args.toArray(String[]::new)),
        cacheDir,
        deleteAtClose);
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
    // /proc/<pid>/stat after the command's closing parenthesis: utime, stime, cutime, cstime are
    // fields 12 to 15, in clock ticks (100 a second on Linux)
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = 0;
    for (int i = 11; i <= 14; i++) {
      ticks += Long.parseLong(fields[i]);
    }
    Duration alive =
        ProcessHandle.of(pid)
            .orElseThrow()
            .descendants()
            .map(p -> p.info().totalCpuDuration().orElse(Duration.ZERO))
            .reduce(Duration.ZERO, Duration::plus);
    return alive.plusMillis(ticks * 10);
  }

  /** CPU time this JVM (the service, and whatever else runs in it) has used so far. */
  static Duration serviceCpu() {
    return Duration.ofNanos(
        ((com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime());
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
    app.close();
    if (deleteAtClose) {
      delete(cacheDir);
    }
  }
}
