package io.batchexecutor.db;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server from the zonky binaries on the class path, with its data kept under a
 * directory of ours so that tasks survive a restart of the service.
 *
 * <ul>
 *   <li>It listens on 127.0.0.1 only (no Unix socket) and asks for a password that is made once and
 *       kept, readable by the owner only, beside the data.
 *   <li>When the service runs as root, PostgreSQL (which refuses to run as root) is run as an
 *       unprivileged user through {@code runuser}.
 *   <li>A server left running by a previous process (killed without a chance to stop it) is reused,
 *       not started twice; it is then left running at close, as it was found.
 * </ul>
 */
public final class EmbeddedPostgres implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgres.class);
  private static final String BINARIES_VERSION = "17.6.0";
  private static final String USER = "postgres";
  private static final String UNPRIVILEGED_USER = "nobody";

  private final Path instanceDir;
  private final Path binDir;
  private final int port;
  private final String password;
  private final boolean startedHere;
  private final boolean dropPrivileges;

  private EmbeddedPostgres(
      Path instanceDir,
      Path binDir,
      int port,
      String password,
      boolean startedHere,
      boolean dropPrivileges) {
    this.instanceDir = instanceDir;
    this.binDir = binDir;
    this.port = port;
    this.password = password;
    this.startedHere = startedHere;
    this.dropPrivileges = dropPrivileges;
  }

  /**
   * Starts (or finds running) the server whose files live under {@code baseDir}.
   *
   * @param baseDir holds {@code bin-<version>/} (the unpacked binaries) and {@code instance/}
   *     (data, log, password)
   * @param startupTimeout how long to wait for the server to accept connections
   */
  public static EmbeddedPostgres start(Path baseDir, Duration startupTimeout) {
    try {
      Files.createDirectories(baseDir);
      try (FileChannel lockFile =
              FileChannel.open(
                  baseDir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = lockFile.lock()) {
        boolean dropPrivileges = runningAsRoot();
        Path binDir = unpackBinaries(baseDir);
        Path instanceDir = baseDir.resolve("instance");
        Path dataDir = instanceDir.resolve("data");
        String password = password(instanceDir);
        if (!Files.exists(dataDir.resolve("PG_VERSION"))) {
          initdb(binDir, instanceDir, password, dropPrivileges);
        }
        Integer runningPort = runningServerPort(binDir, instanceDir, dropPrivileges);
        if (runningPort != null) {
          log.info("Using the embedded PostgreSQL already running on 127.0.0.1:{}", runningPort);
          return new EmbeddedPostgres(
              instanceDir, binDir, runningPort, password, false, dropPrivileges);
        }
        int port = port(instanceDir);
        run(
            binDir,
            instanceDir,
            dropPrivileges,
            startupTimeout.plusSeconds(10),
            "pg_ctl",
            "-D",
            dataDir.toString(),
            "-l",
            instanceDir.resolve("postgres.log").toString(),
            "-w",
            "-t",
            Long.toString(Math.max(1, startupTimeout.toSeconds())),
            "-o",
            "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=''",
            "start");
        Files.writeString(instanceDir.resolve("port"), Integer.toString(port));
        log.info("Started the embedded PostgreSQL on 127.0.0.1:{} (data in {})", port, dataDir);
        return new EmbeddedPostgres(instanceDir, binDir, port, password, true, dropPrivileges);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded PostgreSQL under " + baseDir, e);
    }
  }

  /** The JDBC URL of {@code database} on this server. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /** Creates {@code database} unless it exists. */
  public void ensureDatabase(String database) {
    if (!database.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("not a plain database name: " + database);
    }
    try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), USER, password);
        Statement s = c.createStatement()) {
      try (ResultSet rs =
          s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + database + "'")) {
        if (rs.next()) {
          return;
        }
      }
      s.execute("CREATE DATABASE " + database);
    } catch (SQLException e) {
      if (!"42P04".equals(e.getSQLState())) { // created meanwhile by another process
        throw new IllegalStateException("cannot create database " + database, e);
      }
    }
  }

  /** Drops {@code database}, closing its connections. */
  public void dropDatabase(String database) {
    try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), USER, password);
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS \"" + database.replace("\"", "") + "\" WITH (FORCE)");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop database " + database, e);
    }
  }

  public String username() {
    return USER;
  }

  public String password() {
    return password;
  }

  public int port() {
    return port;
  }

  /**
   * Stops the server whose files live under {@code baseDir}, whoever started it (a server left
   * behind by a killed process, say). Does nothing when none runs there.
   */
  public static void stopServer(Path baseDir) {
    Path instanceDir = baseDir.resolve("instance");
    if (!Files.exists(instanceDir.resolve("data").resolve("postmaster.pid"))) {
      return;
    }
    try (var bins = Files.list(baseDir)) {
      Path binDir =
          bins.filter(p -> p.getFileName().toString().startsWith("bin-"))
              .findFirst()
              .orElseThrow(
                  () -> new IllegalStateException("no PostgreSQL binaries under " + baseDir));
      run(
          binDir,
          instanceDir,
          runningAsRoot(),
          Duration.ofSeconds(60),
          "pg_ctl",
          "-D",
          instanceDir.resolve("data").toString(),
          "-m",
          "fast",
          "-w",
          "stop");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the server if this object started it. */
  @Override
  public void close() {
    if (!startedHere) {
      return;
    }
    try {
      run(
          binDir,
          instanceDir,
          dropPrivileges,
          Duration.ofSeconds(60),
          "pg_ctl",
          "-D",
          instanceDir.resolve("data").toString(),
          "-m",
          "fast",
          "-w",
          "stop");
      log.info("Stopped the embedded PostgreSQL");
    } catch (RuntimeException e) {
      log.warn("Could not stop the embedded PostgreSQL: {}", e.getMessage());
    }
  }

  private static Integer runningServerPort(Path binDir, Path instanceDir, boolean dropPrivileges)
      throws IOException {
    Path pidFile = instanceDir.resolve("data").resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return null;
    }
    Result status =
        exec(
            binDir,
            instanceDir,
            dropPrivileges,
            Duration.ofSeconds(30),
            "pg_ctl",
            "-D",
            instanceDir.resolve("data").toString(),
            "status");
    if (status.exitCode() != 0) {
      return null; // a stale pid file: pg_ctl start clears it
    }
    List<String> lines = Files.readAllLines(pidFile);
    return lines.size() > 3 ? Integer.valueOf(lines.get(3).strip()) : null;
  }

  private static void initdb(Path binDir, Path instanceDir, String password, boolean dropPrivileges)
      throws IOException {
    Path dataDir = instanceDir.resolve("data");
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
          binDir,
          instanceDir,
          dropPrivileges,
          Duration.ofMinutes(3),
          "initdb",
          "-D",
          dataDir.toString(),
          "-U",
          USER,
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

  /** The password of the instance: made once, kept in a file only the service's user can read. */
  private static String password(Path instanceDir) throws IOException {
    Files.createDirectories(instanceDir);
    Path file = instanceDir.resolve("service-password");
    if (Files.exists(file)) {
      return Files.readString(file).strip();
    }
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    String password = HexFormat.of().formatHex(bytes);
    Path tmp = instanceDir.resolve("service-password.tmp");
    Files.writeString(tmp, password);
    setPermissions(tmp, "rw-------");
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    return password;
  }

  private static Path unpackBinaries(Path baseDir) throws IOException {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String system = os.contains("mac") || os.contains("darwin") ? "darwin" : "linux";
    String hardware =
        switch (arch) {
          case "amd64", "x86_64" -> "x86_64";
          case "aarch64", "arm64" -> "arm_64";
          default -> arch;
        };
    String resource = "postgres-" + system + "-" + hardware + ".txz";
    Path target = baseDir.resolve("bin-" + BINARIES_VERSION + "-" + system + "-" + hardware);
    if (Files.exists(target.resolve(".complete"))) {
      return target;
    }
    try (InputStream in = EmbeddedPostgres.class.getResourceAsStream("/" + resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "No embedded PostgreSQL binaries for "
                + os
                + "/"
                + arch
                + " (only Linux and macOS on x86-64 and arm64 are shipped);"
                + " set spring.datasource.url to use an external PostgreSQL");
      }
      Path staging = Files.createTempDirectory(baseDir, "unpack-");
      extract(in, staging);
      setPermissions(staging, "rwxr-xr-x");
      Files.writeString(staging.resolve(".complete"), BINARIES_VERSION);
      if (Files.exists(target)) {
        deleteRecursively(target);
      }
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    }
    return target;
  }

  private static void extract(InputStream in, Path into) throws IOException {
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new XZCompressorInputStream(new BufferedInputStream(in)))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        Path path = into.resolve(entry.getName()).normalize();
        if (!path.startsWith(into)) {
          throw new IOException("archive entry outside the target: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(path);
        } else if (entry.isSymbolicLink()) {
          Files.createDirectories(path.getParent());
          Files.deleteIfExists(path);
          Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
        } else {
          Files.createDirectories(path.getParent());
          Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
          boolean executable = (entry.getMode() & 0100) != 0;
          setPermissions(path, executable ? "rwxr-xr-x" : "rw-r--r--");
        }
      }
    }
  }

  private static void run(
      Path binDir, Path workDir, boolean dropPrivileges, Duration timeout, String... command) {
    Result result = exec(binDir, workDir, dropPrivileges, timeout, command);
    if (result.exitCode() != 0) {
      String logTail = "";
      Path logFile = workDir.resolve("postgres.log");
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

  private static Result exec(
      Path binDir, Path workDir, boolean dropPrivileges, Duration timeout, String... command) {
    List<String> argv = new ArrayList<>();
    if (dropPrivileges) {
      argv.addAll(List.of("runuser", "-u", UNPRIVILEGED_USER, "--"));
    }
    argv.add(binDir.resolve("bin").resolve(command[0]).toString());
    argv.addAll(List.of(command).subList(1, command.length));
    ProcessBuilder builder = new ProcessBuilder(argv).directory(workDir.toFile());
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

  private static void setPermissions(Path path, String permissions) throws IOException {
    Set<PosixFilePermission> set = PosixFilePermissions.fromString(permissions);
    Files.setPosixFilePermissions(path, set);
  }

  /**
   * The port the server had last time when it is free (so that clients, and a service that lost its
   * connections while the server restarted, find it again), else a free one.
   */
  private static int port(Path instanceDir) throws IOException {
    Path remembered = instanceDir.resolve("port");
    if (Files.exists(remembered)) {
      try {
        int port = Integer.parseInt(Files.readString(remembered).strip());
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
          return socket.getLocalPort();
        }
      } catch (IOException | NumberFormatException e) {
        // taken by now, or unreadable: any free port will do
      }
    }
    return freePort();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void deleteRecursively(Path path) throws IOException {
    try (var walk = Files.walk(path)) {
      for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(p);
      }
    }
  }
}
