package io.batchexecutor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.config.BatchExecutorProperties.Backend;
import io.batchexecutor.config.ConditionalOnBackend;
import java.time.Duration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Docker engine: {@code batch-executor.docker.host}, else found the standard way ({@code
 * DOCKER_HOST}, else the local socket). The API version is left to negotiation so that older
 * engines work. Nothing connects at start-up: without a daemon the service still starts, health
 * shows Docker down, and tasks fail with a reason that says what to start. With backend {@code
 * none} no task needs an engine, and health does not ask for one.
 */
@Configuration(proxyBeanMethods = false)
public class DockerConfiguration {

  @Bean(destroyMethod = "close")
  DockerClient dockerClient(BatchExecutorProperties properties) {
    return connect(properties.docker().host());
  }

  /** A client of the engine at {@code host}, or found the standard way when it is blank. */
  public static DockerClient connect(String host) {
    DefaultDockerClientConfig.Builder builder =
        DefaultDockerClientConfig.createDefaultConfigBuilder();
    if (host != null && !host.isBlank()) {
      builder.withDockerHost(host);
    }
    DefaultDockerClientConfig config = builder.build();
    ApacheDockerHttpClient http =
        new ApacheDockerHttpClient.Builder()
            .dockerHost(config.getDockerHost())
            .sslConfig(config.getSSLConfig())
            .maxConnections(64)
            .connectionTimeout(Duration.ofSeconds(5))
            .build();
    return DockerClientImpl.getInstance(config, http);
  }

  /** Docker's health, where the backend uses it: with backend {@code none} nothing does. */
  @Bean
  @ConditionalOnBackend(value = Backend.NONE, negate = true)
  HealthIndicator docker(DockerClient docker) {
    return () -> {
      try {
        docker.pingCmd().exec();
        var version = docker.versionCmd().exec();
        return Health.up()
            .withDetail("version", version.getVersion())
            .withDetail("api_version", version.getApiVersion())
            .build();
      } catch (RuntimeException e) {
        return Health.down()
            .withDetail(
                "reason",
                "no Docker engine answers ("
                    + DockerFailures.describe(e)
                    + "); start dockerd or set DOCKER_HOST")
            .build();
      }
    };
  }
}
