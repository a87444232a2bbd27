package io.batchexecutor.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server from the zonky binaries on the class path, with its data kept under a
 * directory of ours so that tasks survive a restart of the service. {@code PostgresBinaries}
 * unpacks the binaries; {@code PostgresControl} runs initdb and pg_ctl on the instance directory.
 *
 * <ul>
 *   <li>It listens on 127.0.0.1 only (no Unix socket) and asks for a password that is made once and
 *       kept, readable by the owner only, beside the data.
 *   <li>When the service runs as root, PostgreSQL (which refuses to run as root) is run as an
 *       unprivileged user through {@code runuser}.
 *   <li>A server left running by a previous process (killed without a chance to stop it) is reused,
 *       not started twice; it is then left running at close, as it was found.
 *   <li>Within one process every {@code start} on a directory is a handle on the same server (a
 *       test run's application contexts each hold one): the server this process started stops when
 *       its last handle closes, whichever handle started it, so that no holder loses its database
 *       while it still closes.
 * </ul>
 */
public final class EmbeddedPostgres implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgres.class);
  private static final String USER = "postgres";

  /** The open handles of this process on each instance directory. */
  private static final Map<Path, Handles> HANDLES = new HashMap<>();

  /** How many handles are open on one server, and whether this process started it. */
  private static final class Handles {
    int open;
    boolean startedHere;
  }

  private final PostgresControl control;
  private final Path instanceDir;
  private final int port;
  private final String password;
  private boolean closed;

  private EmbeddedPostgres(
      PostgresControl control, Path instanceDir, int port, String password, boolean startedHere) {
    this.control = control;
    this.instanceDir = instanceDir;
    this.port = port;
    this.password = password;
    // registered under the lock start holds
    Handles handles = HANDLES.computeIfAbsent(instanceDir, dir -> new Handles());
    handles.open++;
    handles.startedHere |= startedHere;
  }

  /**
   * Starts (or finds running) the server whose files live under {@code baseDir}.
   *
   * @param baseDir holds {@code bin-<version>/} (the unpacked binaries) and {@code instance/}
   *     (data, log, password)
   * @param startupTimeout how long to wait for the server to accept connections
   */
  public static EmbeddedPostgres start(Path baseDir, Duration startupTimeout) {
    synchronized (HANDLES) { // against a close of this process stopping the server meanwhile
      return startOrFind(baseDir, startupTimeout);
    }
  }

  private static EmbeddedPostgres startOrFind(Path baseDir, Duration startupTimeout) {
    try {
      Files.createDirectories(baseDir);
      try (FileChannel lockFile =
              FileChannel.open(
                  baseDir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = lockFile.lock()) {
        Path instanceDir = baseDir.resolve("instance");
        PostgresControl control =
            new PostgresControl(PostgresBinaries.unpack(baseDir), instanceDir);
        String password = password(instanceDir);
        if (!control.initialised()) {
          control.initdb(USER, password);
        }
        Integer runningPort = control.runningPort();
        if (runningPort != null) {
          log.info("Using the embedded PostgreSQL already running on 127.0.0.1:{}", runningPort);
          return new EmbeddedPostgres(control, instanceDir, runningPort, password, false);
        }
        int port = port(instanceDir);
        control.start(port, startupTimeout);
        Files.writeString(instanceDir.resolve("port"), Integer.toString(port));
        log.info(
            "Started the embedded PostgreSQL on 127.0.0.1:{} (data in {})",
            port,
            control.dataDir());
        return new EmbeddedPostgres(control, instanceDir, port, password, true);
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
      // created meanwhile by another process: 42P04 once it exists, 23505 while both insert it
      if (!"42P04".equals(e.getSQLState()) && !"23505".equals(e.getSQLState())) {
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
    try {
      new PostgresControl(PostgresBinaries.find(baseDir), instanceDir).stop();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Closes this handle; the last one of this process stops the server if this process started it.
   */
  @Override
  public void close() {
    synchronized (HANDLES) {
      if (closed) {
        return;
      }
      closed = true;
      Handles handles = HANDLES.get(instanceDir);
      if (--handles.open > 0) {
        return;
      }
      HANDLES.remove(instanceDir);
      if (!handles.startedHere) {
        return;
      }
      try {
        control.stop();
        log.info("Stopped the embedded PostgreSQL");
      } catch (RuntimeException e) {
        log.warn("Could not stop the embedded PostgreSQL: {}", e.getMessage());
      }
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
    Files.deleteIfExists(tmp);
    // created with its final mode: readable by no one else, not even for a moment
    Files.createFile(
        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, password, StandardOpenOption.WRITE);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    return password;
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
}
