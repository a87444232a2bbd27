package io.batchexecutor.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * PostgreSQL's own programs run on one instance directory (its {@code data/} and {@code
 * postgres.log}): initdb, and pg_ctl to start, ask after and stop the server. When the service runs
 * as root they run as an unprivileged user through {@code runuser}, as PostgreSQL refuses to run as
 * root. A program that fails throws with its output and the end of the server log.
 */
final class PostgresControl {

  private static final String UNPRIVILEGED_USER = "nobody";

  private final Path binDir;
  private final Path instanceDir;
  private final boolean dropPrivileges;

  /**
   * @param binDir the unpacked binaries ({@link PostgresBinaries})
   * @param instanceDir holds {@code data/} and the server log; the programs run in it
   */
  PostgresControl(Path binDir, Path instanceDir) {
    this.binDir = binDir;
    this.instanceDir = instanceDir;
    this.dropPrivileges = runningAsRoot();
  }

  Path dataDir() {
    return instanceDir.resolve("data");
  }

  /** Whether initdb made the data directory already. */
  boolean initialised() {
    return Files.exists(dataDir().resolve("PG_VERSION"));
  }

  /** Makes the data directory, with {@code user} as superuser who logs in with {@code password}. */
  void initdb(String user, String password) throws IOException {
    Path dataDir = dataDir();
    Files.createDirectories(dataDir);
    Path pwFile = instanceDir.resolve("initdb-password");
    Files.writeString(pwFile, password + "\n");
    try {
      if (dropPrivileges) {
        handOver(instanceDir);
        handOver(dataDir);
        handOver(pwFile);
      }
      run(
          Duration.ofMinutes(3),
          "initdb",
          "-D",
          dataDir.toString(),
          "-U",
          user,
          "--pwfile=" + pwFile,
          "--auth=scram-sha-256",
          "-E",
          "UTF8",
          "--locale=C",
          "--no-sync");
    } finally {
      Files.deleteIfExists(pwFile);
    }
  }

  /** The port of the server running on the data directory, or null when none runs. */
  Integer runningPort() throws IOException {
    Path pidFile = dataDir().resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return null;
    }
    Result status = exec(Duration.ofSeconds(30), "pg_ctl", "-D", dataDir().toString(), "status");
    if (status.exitCode() != 0) {
      return null; // a stale pid file: pg_ctl start clears it
    }
    List<String> lines = Files.readAllLines(pidFile);
    return lines.size() > 3 ? Integer.valueOf(lines.get(3).strip()) : null;
  }

  /**
   * Starts the server on 127.0.0.1:{@code port} (no Unix socket) and waits until it accepts
   * connections, at most {@code startupTimeout}.
   */
  void start(int port, Duration startupTimeout) {
    run(
        startupTimeout.plusSeconds(10),
        "pg_ctl",
        "-D",
        dataDir().toString(),
        "-l",
        instanceDir.resolve("postgres.log").toString(),
        "-w",
        "-t",
        Long.toString(Math.max(1, startupTimeout.toSeconds())),
        "-o",
        "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=''",
        "start");
  }

  /** Stops the server, its connections ended at once, and waits until it has. */
  void stop() {
    run(Duration.ofSeconds(60), "pg_ctl", "-D", dataDir().toString(), "-m", "fast", "-w", "stop");
  }

  private void run(Duration timeout, String... command) {
    Result result = exec(timeout, command);
    if (result.exitCode() != 0) {
      String logTail = "";
      Path logFile = instanceDir.resolve("postgres.log");
      try {
        if (Files.exists(logFile)) {
          List<String> lines = Files.readAllLines(logFile);
          logTail =
              "\nserver log:\n"
                  + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        }
      } catch (IOException ignored) {
        // the log is a courtesy; the command's own output is below
      }
      throw new IllegalStateException(
          command[0]
              + " failed with exit code "
              + result.exitCode()
              + ":\n"
              + result.output()
              + logTail);
    }
  }

  private Result exec(Duration timeout, String... command) {
    List<String> argv = new ArrayList<>();
    if (dropPrivileges) {
      argv.addAll(List.of("runuser", "-u", UNPRIVILEGED_USER, "--"));
    }
    argv.add(binDir.resolve("bin").resolve(command[0]).toString());
    argv.addAll(List.of(command).subList(1, command.length));
    ProcessBuilder builder = new ProcessBuilder(argv).directory(instanceDir.toFile());
    builder.environment().put("LC_ALL", "C");
    builder.environment().remove("PGDATA");
    builder.redirectErrorStream(true);
    try {
      Path output = Files.createTempFile("pg-", ".out");
      try {
        builder.redirectOutput(output.toFile());
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          throw new IllegalStateException(command[0] + " did not finish within " + timeout);
        }
        return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + argv, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command[0], e);
    }
  }

  private record Result(int exitCode, String output) {}

  private static boolean runningAsRoot() {
    try {
      return "0".equals(String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid")));
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  private static void handOver(Path path) throws IOException {
    UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
    Files.setOwner(path, users.lookupPrincipalByName(UNPRIVILEGED_USER));
  }
}
