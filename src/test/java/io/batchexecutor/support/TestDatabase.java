package io.batchexecutor.support;

import io.batchexecutor.db.EmbeddedPostgres;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;

/**
 * Gives each test context a fresh database on the shared embedded PostgreSQL, so that contexts (one
 * with the pipeline running, one without) never see each other's tasks.
 */
public class TestDatabase implements ApplicationContextInitializer<ConfigurableApplicationContext> {

  /**
   * The tests' cache directory: world-traversable, so PostgreSQL can run unprivileged under root.
   * {@code BATCH_EXECUTOR_TEST_CACHE_DIR} moves it (and with it the embedded server the tests
   * share), so that two checkouts can run their tests at once.
   */
  public static final String CACHE_DIR =
      System.getenv().getOrDefault("BATCH_EXECUTOR_TEST_CACHE_DIR", "/tmp/batch-executor-tests");

  static final String NAME_PROPERTY = "batch-executor.database.embedded-name";

  @Override
  public void initialize(ConfigurableApplicationContext context) {
    String name = "t_" + UUID.randomUUID().toString().replace("-", "");
    context
        .getEnvironment()
        .getPropertySources()
        .addFirst(new MapPropertySource("test-database", Map.of(NAME_PROPERTY, name)));
  }

  /** Drops the context's database when the context closes. */
  @TestConfiguration(proxyBeanMethods = false)
  public static class Cleanup {
    @Bean
    DisposableBean dropTestDatabase(
        EmbeddedPostgres postgres, DataSource dataSource, Environment env) {
      String name = env.getRequiredProperty(NAME_PROPERTY);
      return () -> postgres.dropDatabase(name);
    }
  }
}
