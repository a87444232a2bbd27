package io.batchexecutor.backend.awsbatch;

import com.github.dockerjava.api.DockerClient;
import io.batchexecutor.backend.BackOff;
import io.batchexecutor.backend.BuildImage;
import io.batchexecutor.backend.TaskInputs;
import io.batchexecutor.config.AwsBatchProperties;
import io.batchexecutor.config.AwsClients;
import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.config.BatchExecutorProperties.Backend;
import io.batchexecutor.config.ConditionalOnBackend;
import io.batchexecutor.config.ExecutionProfile;
import io.batchexecutor.config.ExecutionProfiles;
import io.batchexecutor.config.ExecutorSettingsResolver;
import io.batchexecutor.config.ResultSizeLimit;
import io.batchexecutor.config.ServiceAccount;
import io.batchexecutor.config.TenancyProperties;
import io.batchexecutor.db.ThisInstance;
import io.batchexecutor.image.ImageBuilder;
import io.batchexecutor.image.Runner;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.support.Periodic;
import io.batchexecutor.task.SubWorkflows;
import io.batchexecutor.task.SubmittedJobs;
import io.batchexecutor.task.TaskQueries;
import io.batchexecutor.task.TaskRepository;
import io.batchexecutor.task.UploadedFiles;
import io.batchexecutor.task.WorkQueue;
import java.net.URI;
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
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.scheduling.TaskScheduler;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.sts.StsClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code awsbatch} among the deployment's backends: the AWS clients (the SDK's default chain, or
 * the configured credentials file and profile; the region; an endpoint override for AWS-compatible
 * endpoints), the steps, and the batched poller. The poller runs only where this instance runs the
 * backend's tasks ({@code batch-executor.instance.backends}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBackend(Backend.AWSBATCH)
public class AwsBatchConfiguration {

  private static final Logger log = LoggerFactory.getLogger(AwsBatchConfiguration.class);

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

  /**
   * How often the batched poller looks for tasks that are due: each task is due every {@code
   * poll_freq} seconds, and a short tick keeps the end of a job seen within {@code poll_freq} and a
   * fraction of a second (the look finds nothing due most of the time: one indexed query).
   */
  static final Duration POLL_TICK = Duration.ofMillis(200);

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

  /** The AWS clients the backend's steps and poller call, and the throttling they share. */
  record AwsBatchClients(
      BatchClient batch,
      BatchClient createOnce,
      EcrClient ecr,
      StsClient sts,
      CloudWatchLogsClient logs,
      Throttling throttling) {}

  /** The tasks, their claims and the objects they stored, as the poller reads and updates them. */
  record TaskStorage(
      TaskRepository tasks, WorkQueue queue, TaskQueries queries, ObjectStores stores) {}

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

  @Bean
  TaskStorage awsBatchTaskStorage(
      TaskRepository tasks, WorkQueue queue, TaskQueries queries, ObjectStores stores) {
    return new TaskStorage(tasks, queue, queries, stores);
  }

  @Bean
  BuildImage awsBatchBuildImage(
      ImageBuilder builder,
      ObjectStores stores,
      BatchExecutorProperties properties,
      JsonMapper json,
      UploadedFiles uploads) {
    return new BuildImage(
        builder, stores, Runner.script(), properties.image(), json, true, uploads);
  }

  @Bean
  PushImage pushImage(DockerClient docker, AwsBatchClients clients, Clock clock) {
    return new PushImage(docker, clients.ecr(), new EcrLogin(clients.ecr(), clock), clock);
  }

  @Bean
  RegisterJobDefinition registerJobDefinition(
      AwsBatchClients clients,
      AwsBatchProperties aws,
      ExecutorSettingsResolver settings,
      AwsAccount account,
      Clock clock,
      QueuePlatforms platforms,
      TenancyProperties tenancy) {
    URI endpoint = AwsClients.endpoint(aws);
    return new RegisterJobDefinition(
        clients.batch(),
        clients.createOnce(),
        account,
        settings.defaults().region(),
        endpoint == null ? null : endpoint.toString(),
        clock,
        platforms,
        new FargateOptions(
            aws.fargateAssignPublicIp(),
            aws.fargatePlatformVersion(),
            aws.fargateEphemeralStorage()),
        LinuxOptions.of(tenancy),
        ProfileSecrets.of(tenancy));
  }

  @Bean
  SubmitBatchJob submitBatchJob(
      AwsBatchClients clients,
      TaskQueries tasks,
      SubmittedJobs submitted,
      AwsBatchProperties aws,
      ObjectStores stores,
      JsonMapper json,
      JobTags tags,
      QueuePlatforms platforms) {
    SubmitCap cap =
        new SubmitCap(
            aws.maxSubmittedPerClient(),
            (owner, profile, atMost) ->
                submitted.count(owner, AwsBatchBackend.NAME, profile, atMost));
    return new SubmitBatchJob(
        clients.batch(),
        clients.createOnce(),
        clients.throttling(),
        cap,
        new TaskInputs(tasks, stores, json),
        json,
        tags,
        platforms);
  }

  @Bean
  AwsBatchBackend awsBatchBackend(
      BuildImage build,
      PushImage push,
      RegisterJobDefinition register,
      SubmitBatchJob submit,
      AwsBatchClients clients,
      FargateRules fargate,
      TenancyProperties tenancy) {
    return new AwsBatchBackend(
        List.of(build, new StartPushing(), push, register, submit),
        clients.batch(),
        new BatchJobLogs(clients.logs()),
        fargate,
        ProfileSecrets.of(tenancy));
  }

  @Bean
  @ConditionalOnProperty(name = "batch-executor.pipeline.enabled", matchIfMissing = true)
  @ConditionalOnBackend(value = Backend.AWSBATCH, here = true)
  SmartLifecycle batchPoller(
      TaskStorage storage,
      AwsBatchClients clients,
      JsonMapper json,
      Clock clock,
      AwsBatchProperties aws,
      BatchExecutorProperties properties,
      TaskScheduler scheduler,
      ThisInstance self,
      SubWorkflows subWorkflows) {
    PollBatchJobs poller =
        new PollBatchJobs(
            storage.tasks(),
            storage.queue(),
            storage.queries(),
            clients.batch(),
            clients.throttling(),
            storage.stores(),
            json,
            ResultSizeLimit.of(properties),
            clock,
            new PollBatchJobs.Lease(
                self.leaseOwner("batch-poller"), properties.pipeline().leaseDuration()),
            aws.runnableWarning(),
            BackOff.of(properties.pipeline()),
            subWorkflows);
    return new Periodic(scheduler, "batch-poller", poller, Duration.ofSeconds(1), POLL_TICK);
  }
}
