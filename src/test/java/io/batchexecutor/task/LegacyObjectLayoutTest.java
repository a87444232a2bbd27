package io.batchexecutor.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.db.EmbeddedPostgres;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Tasks stored before object keys carried the client keep the layout they were written under,
 * {@code batch-executor/tasks/<id>/}: the migration leaves them as they are, and their results are
 * read, and deleted with them, where they are.
 */
@ServiceTest
class LegacyObjectLayoutTest {

  @Autowired EmbeddedPostgres postgres;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectStores stores;
  @LocalServerPort int port;

  @Test
  void theMigrationLeavesTasksStoredBeforeWithoutAPrefixOrDigests() throws SQLException {
    String database = "m_" + UUID.randomUUID().toString().replace("-", "");
    postgres.ensureDatabase(database);
    try {
      String url = postgres.jdbcUrl(database);
      migrate(url, "8");
      UUID id = UUID.randomUUID();
      try (Connection c =
              DriverManager.getConnection(url, postgres.username(), postgres.password());
          PreparedStatement insert =
              c.prepareStatement(
                  "INSERT INTO task (id, owner, status, spec, settings, backend, next_run_at,"
                      + " created_at, updated_at, result_pointer) VALUES (?, 'tester',"
                      + " 'SUCCEEDED', CAST('{}' AS json), '{}'::jsonb, 'local', now(), now(),"
                      + " now(), 'file:/x/batch-executor/tasks/' || ? || '/result.json')")) {
        insert.setObject(1, id);
        insert.setString(2, id.toString());
        insert.executeUpdate();
      }

      migrate(url, "latest");

      try (Connection c =
              DriverManager.getConnection(url, postgres.username(), postgres.password());
          PreparedStatement read =
              c.prepareStatement(
                  "SELECT object_prefix, result_digests, result_pointer FROM task WHERE id = ?")) {
        read.setObject(1, id);
        try (ResultSet row = read.executeQuery()) {
          assertThat(row.next()).isTrue();
          assertThat(row.getString(1)).as("NULL: the layout it was written under").isNull();
          assertThat(row.getString(2)).isNull();
          assertThat(row.getString(3)).contains("/batch-executor/tasks/" + id + "/");
        }
      }
    } finally {
      postgres.dropDatabase(database);
    }
  }

  @Test
  void aResultStoredUnderTheEarlierLayoutIsServedUncheckedAndDeletedWithItsTask() {
    Api api = new Api(port);
    UUID id =
        UUID.fromString(api.post("/api/v1/tasks", Tasks.add().build()).json().get("id").asString());
    URI result =
        stores
            .primary()
            .put(
                "bucket",
                "batch-executor/tasks/" + id + "/result.json",
                "{\"ok\": true, \"value\": 42}".getBytes(StandardCharsets.UTF_8));
    jdbc.sql(
            "UPDATE task SET status = 'SUCCEEDED', finished_at = now(), object_prefix = NULL,"
                + " result_pointer = :result, result_digests = NULL, lease_owner = NULL"
                + " WHERE id = :id")
        .param("result", result.toString())
        .param("id", id)
        .update();

    JsonNode task = api.get("/api/v1/tasks/" + id).json();
    assertThat(task.path("result_sha256").isMissingNode() || task.path("result_sha256").isNull())
        .as(task.toString())
        .isTrue();
    assertThat(api.get("/api/v1/tasks/" + id + "/result").json().asInt()).isEqualTo(42);

    assertThat(api.delete("/api/v1/tasks/" + id).status()).isEqualTo(204);
    assertThat(stores.get(result.toString())).as("deleted where it was").isEmpty();
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
