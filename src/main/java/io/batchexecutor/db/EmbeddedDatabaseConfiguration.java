package io.batchexecutor.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.batchexecutor.config.ExecutorSettingsResolver;
import java.nio.file.Path;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The default database: an embedded PostgreSQL under {@code <cache_dir>/postgres}, used whenever
 * {@code spring.datasource.url} is not set. Setting it (for instance {@code SPRING_DATASOURCE_URL})
 * switches to that external PostgreSQL and this configuration steps aside. The database is named by
 * {@code batch-executor.database.embedded-name} (default {@code batch_executor}); its files live
 * under {@code batch-executor.database.embedded-dir} (default {@code <cache_dir>/postgres}).
 */
@Configuration(proxyBeanMethods = false)
@Conditional(EmbeddedDatabaseConfiguration.NoDataSourceUrl.class)
public class EmbeddedDatabaseConfiguration {

  @Bean(destroyMethod = "close")
  EmbeddedPostgres embeddedPostgres(ExecutorSettingsResolver settings, Environment environment) {
    Path baseDir =
        Path.of(
            environment.getProperty(
                "batch-executor.database.embedded-dir",
                Path.of(settings.defaults().cacheDir(), "postgres").toString()));
    return EmbeddedPostgres.start(baseDir, Duration.ofSeconds(60));
  }

  @Bean(destroyMethod = "close")
  DataSource dataSource(EmbeddedPostgres postgres, Environment environment, ThisInstance self) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("embedded-postgres");
    config.addDataSourceProperty(InstancesConfiguration.APPLICATION_NAME, self.applicationName());
    String database =
        environment.getProperty("batch-executor.database.embedded-name", "batch_executor");
    postgres.ensureDatabase(database);
    config.setJdbcUrl(postgres.jdbcUrl(database));
    config.setUsername(postgres.username());
    config.setPassword(postgres.password());
    config.setConnectionTimeout(
        environment
            .getProperty(
                "spring.datasource.hikari.connection-timeout",
                Duration.class,
                Duration.ofSeconds(30))
            .toMillis());
    config.setMaximumPoolSize(
        environment.getProperty("spring.datasource.hikari.maximum-pool-size", Integer.class, 20));
    // an idle service keeps two connections, not twenty: the embedded server's 100 are shared by
    // every instance (and every test context) that uses it
    config.setMinimumIdle(
        environment.getProperty("spring.datasource.hikari.minimum-idle", Integer.class, 2));
    config.setIdleTimeout(
        environment
            .getProperty(
                "spring.datasource.hikari.idle-timeout", Duration.class, Duration.ofSeconds(60))
            .toMillis());
    return new HikariDataSource(config);
  }

  /** Matches when no external database is configured. */
  static class NoDataSourceUrl implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      String url = context.getEnvironment().getProperty("spring.datasource.url");
      return url == null || url.isBlank();
    }
  }
}
