package io.batchexecutor.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.config.ExecutorSettingsResolver;
import java.nio.file.Path;
import java.time.Duration;
import javax.sql.DataSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DefaultValue;
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

  /**
   * The pool settings of {@code spring.datasource.hikari.*} that the embedded database's pool
   * takes, with its own defaults: an idle service keeps two connections, not twenty, because the
   * embedded server's 100 are shared by every instance (and every test context) that uses it.
   *
   * @param connectionTimeout how long a caller waits for a connection
   * @param maximumPoolSize the most connections the pool holds
   * @param minimumIdle the fewest idle connections the pool keeps
   * @param idleTimeout how long a connection above the minimum stays idle before it is closed
   */
  record Pool(
      @DefaultValue("30s") Duration connectionTimeout,
      @DefaultValue("20") int maximumPoolSize,
      @DefaultValue("2") int minimumIdle,
      @DefaultValue("60s") Duration idleTimeout) {

    /** Spring Boot's own keys, bound as its DataSource auto-configuration binds them. */
    static final String PREFIX = "spring.datasource.hikari";

    static Pool of(Environment environment) {
      return Binder.get(environment).bindOrCreate(PREFIX, Pool.class);
    }
  }

  @Bean(destroyMethod = "close")
  EmbeddedPostgres embeddedPostgres(
      ExecutorSettingsResolver settings, BatchExecutorProperties properties) {
    Path baseDir = properties.database().embeddedDir();
    if (baseDir == null) {
      baseDir = Path.of(settings.defaults().cacheDir(), "postgres");
    }
    return EmbeddedPostgres.start(baseDir, Duration.ofSeconds(60));
  }

  @Bean(destroyMethod = "close")
  DataSource dataSource(
      EmbeddedPostgres postgres,
      BatchExecutorProperties properties,
      Environment environment,
      ThisInstance self) {
    Pool pool = Pool.of(environment);
    HikariConfig config = new HikariConfig();
    config.setPoolName("embedded-postgres");
    config.addDataSourceProperty(InstancesConfiguration.APPLICATION_NAME, self.applicationName());
    String database = properties.database().embeddedName();
    postgres.ensureDatabase(database);
    config.setJdbcUrl(postgres.jdbcUrl(database));
    config.setUsername(postgres.username());
    config.setPassword(postgres.password());
    config.setConnectionTimeout(pool.connectionTimeout().toMillis());
    config.setMaximumPoolSize(pool.maximumPoolSize());
    config.setMinimumIdle(pool.minimumIdle());
    config.setIdleTimeout(pool.idleTimeout().toMillis());
    return new HikariDataSource(config);
  }

  /** Matches when no external database is configured. */
  static class NoDataSourceUrl implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      String url =
          Binder.get(context.getEnvironment())
              .bind("spring.datasource.url", String.class)
              .orElse(null);
      return url == null || url.isBlank();
    }
  }
}
