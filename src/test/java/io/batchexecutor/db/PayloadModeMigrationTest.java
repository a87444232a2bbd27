package io.batchexecutor.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.ServiceTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Tasks stored before payload modes existed finish as they were submitted: the migration marks each
 * of them {@code baked}, whatever shape its image part had, and keeps the rest of it.
 */
@ServiceTest
class PayloadModeMigrationTest {

  @Autowired EmbeddedPostgres postgres;

  @Test
  void tasksStoredBeforeTheUpgradeAreMarkedBaked() throws SQLException {
    String database = "m_" + UUID.randomUUID().toString().replace("-", "");
    postgres.ensureDatabase(database);
    try {
      String url = postgres.jdbcUrl(database);
      migrate(url, "5");
      Map<String, String> specs = new LinkedHashMap<>();
      specs.put("no image", "{\"function\": {\"source\": \"\", \"name\": \"f\"}}");
      specs.put("null image", "{\"image\": null}");
      specs.put(
          "image with a base",
          "{\"image\": {\"base_image\": \"python:3.12-slim\", \"requirements\": [\"numpy\"]}}");
      Map<String, UUID> ids = new LinkedHashMap<>();
      try (Connection c =
              DriverManager.getConnection(url, postgres.username(), postgres.password());
          PreparedStatement insert =
              c.prepareStatement(
                  "INSERT INTO task (id, owner, status, spec, settings, backend, next_run_at,"
                      + " created_at, updated_at) VALUES (?, 'tester', 'QUEUED', CAST(? AS jsonb),"
                      + " '{}'::jsonb, 'local', now(), now(), now())")) {
        for (Map.Entry<String, String> spec : specs.entrySet()) {
          UUID id = UUID.randomUUID();
          ids.put(spec.getKey(), id);
          insert.setObject(1, id);
          insert.setString(2, spec.getValue());
          insert.executeUpdate();
        }
      }

      migrate(url, "latest");

      try (Connection c =
              DriverManager.getConnection(url, postgres.username(), postgres.password());
          PreparedStatement read =
              c.prepareStatement(
                  "SELECT spec->'image'->>'payload', spec::text FROM task WHERE id = ?")) {
        for (Map.Entry<String, UUID> id : ids.entrySet()) {
          read.setObject(1, id.getValue());
          try (ResultSet row = read.executeQuery()) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).as(id.getKey()).isEqualTo("baked");
            if (id.getKey().equals("image with a base")) {
              assertThat(row.getString(2)).contains("python:3.12-slim").contains("numpy");
            }
            if (id.getKey().equals("no image")) {
              assertThat(row.getString(2)).contains("\"name\": \"f\"");
            }
          }
        }
      }
    } finally {
      postgres.dropDatabase(database);
    }
  }

  private void migrate(String url, String target) {
    Flyway.configure()
        .dataSource(url, postgres.username(), postgres.password())
        .locations("classpath:db/migration")
        .target(target)
        .load()
        .migrate();
  }
}
