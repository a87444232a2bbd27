package io.batchexecutor.bench;

import io.batchexecutor.BatchExecutorApplication;
import io.batchexecutor.support.Api;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
  final Api api;
  final int port;

  private BenchService(ConfigurableApplicationContext app, Path cacheDir) {
    this.app = app;
    this.cacheDir = cacheDir;
    this.port = Integer.parseInt(app.getEnvironment().getRequiredProperty("local.server.port"));
    this.api = new Api(port);
  }

  /** Starts the service; {@code extra} are further {@code name=value} settings. */
  static BenchService start(String... extra) throws IOException {
    // world-traversable: the embedded PostgreSQL runs as an unprivileged user under root
    Path cacheDir =
        Files.createTempDirectory(
            Path.of("/tmp"),
            "batch-executor-bench-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
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
        cacheDir);
  }

  @Override
  public void close() throws IOException {
    app.close();
    try (Stream<Path> all = Files.walk(cacheDir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
