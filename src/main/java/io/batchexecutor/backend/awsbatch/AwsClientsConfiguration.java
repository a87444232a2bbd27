package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.config.AwsBatchProperties;
import io.batchexecutor.config.AwsClients;
import io.batchexecutor.config.BatchExecutorProperties.Backend;
import io.batchexecutor.config.ConditionalOnBackend;
import io.batchexecutor.config.ExecutionProfile;
import io.batchexecutor.config.ExecutionProfiles;
import io.batchexecutor.config.ExecutorSettingsResolver;
import io.batchexecutor.config.ServiceAccount;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * {@code awsbatch} among the deployment's backends: the AWS clients (the SDK's default chain, or
 * the configured credentials file and profile; the region; an endpoint override for AWS-compatible
 * endpoints), the account the service acts in, the throttling the clients share, and the health of
 * the AWS resources the execution profiles name. The steps and the poller that call them are made
 * by {@link AwsBatchConfiguration}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBackend(Backend.AWSBATCH)
public class AwsClientsConfiguration {

  private static final Logger log = LoggerFactory.getLogger(AwsClientsConfiguration.class);

  @Bean(destroyMethod = "close")
  @Primary
  BatchClient batchClient(AwsBatchProperties aws, ExecutorSettingsResolver settings) {
    return AwsClients.configure(BatchClient.builder(), aws, settings.defaults()).build();
  }

  /**
   * The client for the calls that create something (RegisterJobDefinition, SubmitJob): no SDK
   * retries, because a retry after a lost answer creates it twice. A failed call comes back to the
   * pipeline, which runs the step again, and the step looks for what the lost call made first.
   */
  @Bean(destroyMethod = "close")
  BatchClient batchCreateOnceClient(AwsBatchProperties aws, ExecutorSettingsResolver settings) {
    return AwsClients.configure(BatchClient.builder(), aws, settings.defaults())
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  @Bean(destroyMethod = "close")
  EcrClient ecrClient(AwsBatchProperties aws, ExecutorSettingsResolver settings) {
    return AwsClients.configure(EcrClient.builder(), aws, settings.defaults()).build();
  }

  @Bean(destroyMethod = "close")
  CloudWatchLogsClient cloudWatchLogsClient(
      AwsBatchProperties aws, ExecutorSettingsResolver settings) {
    return AwsClients.configure(CloudWatchLogsClient.builder(), aws, settings.defaults()).build();
  }

  @Bean(destroyMethod = "close")
  StsClient stsClient(AwsBatchProperties aws, ExecutorSettingsResolver settings) {
    return AwsClients.configure(StsClient.builder(), aws, settings.defaults()).build();
  }

  /** The account the service acts in, asked of STS once. */
  @Bean
  AwsAccount awsAccount(StsClient sts) {
    return new AwsAccount(sts);
  }

  /**
   * The account for comparing a request's role ARN with a profile's role name; unknown while STS
   * does not answer (such a request is then refused rather than guessed at).
   */
  @Bean
  ServiceAccount serviceAccount(AwsAccount account) {
    return () -> {
      try {
        return Optional.of(account.accountId());
      } catch (SdkException e) {
        log.warn("The service's AWS account is not known (STS): {}", e.getMessage());
        return Optional.empty();
      }
    };
  }

  /** How long the AWS resources' health is answered from the last check. */
  static final Duration HEALTH_TIME_TO_LIVE = Duration.ofSeconds(30);

  /**
   * Health of what the execution profiles name (checked at most every 30 s; a resource that several
   * profiles share is checked once); the same check is logged once at start-up, as a warning
   * listing whatever is missing.
   */
  @Bean
  HealthIndicator awsBatchResources(
      Clock clock,
      AwsBatchProperties aws,
      ExecutorSettingsResolver settings,
      ExecutionProfiles profiles,
      BatchClient batch,
      EcrClient ecr,
      CloudWatchLogsClient logs) {
    AwsResources resources =
        new AwsResources(AwsClients.s3(aws, settings.defaults()), ecr, batch, logs);
    Supplier<Map<String, String>> checkAll =
        () -> {
          Map<String, String> checked = new LinkedHashMap<>();
          for (ExecutionProfile profile : profiles.all()) {
            resources.check(profile.names()).forEach(checked::putIfAbsent);
          }
          return checked;
        };
    Thread check =
        new Thread(
            () -> {
              List<String> problems = AwsResources.problems(checkAll.get());
              if (problems.isEmpty()) {
                log.info("AWS Batch resources found: bucket, repository, queue and log group");
              } else {
                log.warn("AWS Batch resources are not ready: {}", String.join("; ", problems));
              }
            },
            "aws-resources-check");
    check.setDaemon(true);
    check.start();
    return new CachedHealth(
        () -> {
          Map<String, String> checked = checkAll.get();
          Health.Builder health =
              AwsResources.problems(checked).isEmpty() ? Health.up() : Health.down();
          checked.forEach(health::withDetail);
          return health.build();
        },
        HEALTH_TIME_TO_LIVE,
        clock);
  }

  @Bean
  Throttling awsThrottling() {
    return Throttling.standard();
  }

  @Bean
  AwsBatchClients awsBatchClients(
      BatchClient batch,
      @Qualifier("batchCreateOnceClient") BatchClient createOnce,
      EcrClient ecr,
      StsClient sts,
      CloudWatchLogsClient logs,
      Throttling throttling) {
    return new AwsBatchClients(batch, createOnce, ecr, sts, logs, throttling);
  }
}
