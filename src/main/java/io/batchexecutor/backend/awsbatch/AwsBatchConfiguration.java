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
import io.batchexecutor.config.ExecutorSettingsResolver;
import io.batchexecutor.config.ResultSizeLimit;
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
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code awsbatch} among the deployment's backends: the steps and the batched poller, calling AWS
 * through the clients of {@link AwsClientsConfiguration}. The poller runs only where this instance
 * runs the backend's tasks ({@code batch-executor.instance.backends}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBackend(Backend.AWSBATCH)
public class AwsBatchConfiguration {

  /**
   * How often the batched poller looks for tasks that are due: each task is due every {@code
   * poll_freq} seconds, and a short tick keeps the end of a job seen within {@code poll_freq} and a
   * fraction of a second (the look finds nothing due most of the time: one indexed query).
   */
  static final Duration POLL_TICK = Duration.ofMillis(200);

  /** The tasks, their claims and the objects they stored, as the poller reads and updates them. */
  record TaskStorage(
      TaskRepository tasks, WorkQueue queue, TaskQueries queries, ObjectStores stores) {}

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
      QueuePlatforms platforms,
      RegisterJobDefinition register,
      BatchExecutorProperties properties) {
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
            platforms,
            register == null ? DeregisteredRevisions.NOTHING_REMEMBERED : register::forget)
        .keepingFilesUpTo(ResultSizeLimit.of(properties).bytes());
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
        List.of(build, push, register, submit),
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
