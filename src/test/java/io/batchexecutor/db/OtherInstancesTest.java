package io.batchexecutor.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.batchexecutor.BatchExecutorApplication;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.ScratchCacheDir;
import io.batchexecutor.support.ServiceTest;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Instances on one database see each other, and a local object store that another instance does not
 * share is a warning in the log and in health (which stays UP).
 */
@ServiceTest
@TestPropertySource(properties = "batch-executor.instances.check-interval=200ms")
@ExtendWith(OutputCaptureExtension.class)
class OtherInstancesTest {

  static final String WARNING = "but not this instance's local object store";

  @LocalServerPort int port;
  @Autowired Environment environment;
  @Autowired EmbeddedPostgres postgres;
  @Autowired ThisInstance self;
  @Autowired JdbcClient jdbc;
  @Autowired ApplicationContext context;
  Api api;

  @BeforeEach
  void client() {
    api = new Api(port);
  }

  @Test
  void aSecondInstanceWithALocalStoreOfItsOwnIsAWarning(CapturedOutput output) throws Exception {
    awaitInstances(api, 0, Duration.ofSeconds(10));
    String database = environment.getRequiredProperty("batch-executor.database.embedded-name");
    Path cacheDir = ScratchCacheDir.create("instances");
    try (ConfigurableApplicationContext second =
        new SpringApplicationBuilder(BatchExecutorApplication.class)
            .profiles("test")
            .run(
                "--server.port=0",
                "--batch-executor.awsbatch.cache-dir=" + cacheDir,
                "--batch-executor.database.embedded-dir=" + embeddedDir(),
                "--batch-executor.database.embedded-name=" + database,
                "--batch-executor.instances.check-interval=200ms")) {
      Api other =
          new Api(second.getEnvironment().getRequiredProperty("local.server.port", Integer.class));

      for (Api instance : new Api[] {api, other}) {
        JsonNode health = awaitInstances(instance, 1, Duration.ofSeconds(10));
        assertThat(health.get("status").asString()).isEqualTo("UP");
        JsonNode details = health.get("details");
        assertThat(details.get("object_store").asString()).isEqualTo("local");
        assertThat(details.get("other_instances_without_this_object_store").asInt()).isEqualTo(1);
        assertThat(details.get("warning").asString())
            .contains(WARNING)
            .contains("shared object store")
            .doesNotContain(cacheDir.toString())
            .doesNotContain(environment.getProperty("batch-executor.awsbatch.cache-dir"));
      }
      assertThat(api.as(null).get("/actuator/health").text())
          .doesNotContain("instances")
          .doesNotContain(WARNING);
      assertThat(output.getOut()).contains(WARNING);
    } finally {
      ScratchCacheDir.remove(cacheDir);
    }

    JsonNode alone = awaitInstances(api, 0, Duration.ofSeconds(10));
    assertThat(alone.get("details").has("warning")).isFalse();
  }

  @Test
  void anInstanceThatReadsTheSameDirectoryIsNoWarning() throws Exception {
    awaitInstances(api, 0, Duration.ofSeconds(10));
    Properties session = new Properties();
    session.setProperty("user", postgres.username());
    session.setProperty("password", postgres.password());
    session.setProperty("ApplicationName", "batch-executor/" + self.store() + "/0ther000/host-1");
    String database = environment.getRequiredProperty("batch-executor.database.embedded-name");
    try (Connection ignored = DriverManager.getConnection(postgres.jdbcUrl(database), session)) {
      JsonNode health = awaitInstances(api, 1, Duration.ofSeconds(10));
      assertThat(health.get("details").get("other_instances_without_this_object_store").asInt())
          .isZero();
      assertThat(health.get("details").has("warning")).isFalse();
    }
    awaitInstances(api, 0, Duration.ofSeconds(10));
  }

  @Test
  void everyConnectionCarriesTheInstanceName() {
    String name = "SELECT current_setting('application_name')";
    assertThat(jdbc.sql(name).query(String.class).single()).isEqualTo(self.applicationName());

    // a data source that spring.datasource.* configures is named before its pool opens
    String database = environment.getRequiredProperty("batch-executor.database.embedded-name");
    try (HikariDataSource configured = new HikariDataSource()) {
      configured.setJdbcUrl(postgres.jdbcUrl(database));
      configured.setUsername(postgres.username());
      configured.setPassword(postgres.password());
      InstancesConfiguration.connectionsCarryTheInstanceName(
              context.getBeanProvider(ThisInstance.class))
          .postProcessAfterInitialization(configured, "dataSource");
      assertThat(JdbcClient.create(configured).sql(name).query(String.class).single())
          .isEqualTo(self.applicationName());
    }
  }

  /** Where the first instance's embedded PostgreSQL keeps its files: the second uses it too. */
  private String embeddedDir() {
    return environment.getProperty(
        "batch-executor.database.embedded-dir",
        environment.getRequiredProperty("batch-executor.awsbatch.cache-dir") + "/postgres");
  }

  /** The {@code instances} health component once it counts {@code others} other instances. */
  private static JsonNode awaitInstances(Api instance, int others, Duration timeout) {
    return instance
        .as(Api.OPERATOR)
        .await(
            "/actuator/health/instances",
            h -> h.path("details").path("other_instances").asInt(-1) == others,
            timeout);
  }
}
