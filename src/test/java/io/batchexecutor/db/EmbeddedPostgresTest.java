package io.batchexecutor.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The embedded PostgreSQL keeps its data across restarts, never starts twice on one directory, and
 * stops when the last of this process's handles on it closes.
 */
class EmbeddedPostgresTest {

  @Test
  void dataSurvivesARestartAndARunningServerIsReused() throws Exception {
    Path base = freshDir();
    String db = "survivor";
    EmbeddedPostgres first = EmbeddedPostgres.start(base, Duration.ofSeconds(60));
    try {
      first.ensureDatabase(db);
      execute(first, db, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");

      EmbeddedPostgres second = EmbeddedPostgres.start(base, Duration.ofSeconds(60));
      assertThat(second.port()).as("the running server is reused").isEqualTo(first.port());
      second.close(); // did not start it, so does not stop it
      assertThat(query(first, db, "SELECT v FROM kept")).isEqualTo("still here");
    } finally {
      first.close();
    }

    EmbeddedPostgres restarted = EmbeddedPostgres.start(base, Duration.ofSeconds(60));
    try {
      assertThat(query(restarted, db, "SELECT v FROM kept")).isEqualTo("still here");
      assertThat(query(restarted, db, "SHOW listen_addresses")).isEqualTo("127.0.0.1");
    } finally {
      restarted.close();
      delete(base);
    }
  }

  @Test
  void theServerThisProcessStartedStopsWithItsLastHandleWhicheverStartedIt() throws Exception {
    // as a test run's application contexts do: the one that started the server may close first
    Path base = freshDir();
    EmbeddedPostgres starter = EmbeddedPostgres.start(base, Duration.ofSeconds(60));
    EmbeddedPostgres other = EmbeddedPostgres.start(base, Duration.ofSeconds(60));
    try {
      starter.close();
      starter.close(); // a second close of one handle counts once
      assertThat(query(other, "postgres", "SELECT 'still up'"))
          .as("the other handle's server is still up")
          .isEqualTo("still up");
    } finally {
      other.close();
    }
    SQLException refused = null;
    try {
      query(other, "postgres", "SELECT 1");
    } catch (SQLException e) {
      refused = e;
    }
    assertThat(refused != null)
        .as("the last handle stopped the server this process started")
        .isTrue();
    delete(base);
  }

  @Test
  void aWrongPasswordIsRefused() throws Exception {
    Path base = freshDir();
    EmbeddedPostgres pg = EmbeddedPostgres.start(base, Duration.ofSeconds(60));
    try {
      assertThat(pg.password()).hasSizeGreaterThanOrEqualTo(32);
      SQLException refused = null;
      try (Connection ignored =
          DriverManager.getConnection(pg.jdbcUrl("postgres"), "postgres", "guess")) {
        // connected: wrong
      } catch (SQLException e) {
        refused = e;
      }
      assertThat(refused != null).as("password authentication is required").isTrue();
      assertThat(Files.getPosixFilePermissions(base.resolve("instance/service-password")))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    } finally {
      pg.close();
      delete(base);
    }
  }

  private static void delete(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static Path freshDir() throws IOException {
    Path root = Path.of(TestDatabase.CACHE_DIR, "embedded-" + UUID.randomUUID());
    Files.createDirectories(root);
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    return root;
  }

  private static void execute(EmbeddedPostgres pg, String db, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl(db), pg.username(), pg.password());
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static String query(EmbeddedPostgres pg, String db, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl(db), pg.username(), pg.password());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
