package io.batchexecutor.backend.awsbatch;

import com.github.dockerjava.api.DockerClient;
import io.batchexecutor.backend.ComputeBackend;
import io.batchexecutor.backend.ComputeBackendContract;
import io.batchexecutor.config.AwsBatchProperties;
import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.config.ExecutorSettingsResolver;
import io.batchexecutor.image.ImageBuilder;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.FreePorts;
import io.batchexecutor.support.TestRegistry;
import io.batchexecutor.support.aws.FakeAwsEndpoint;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import software.amazon.awssdk.services.batch.model.ClientException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The AWS Batch backend keeps the backend contract, made by {@link AwsBatchConfiguration} with the
 * clients of {@link AwsClientsConfiguration} pointed at the tests' AWS-compatible endpoint. The
 * contract runs no step, so nothing reads tasks from a database and no image is built or pushed.
 */
class AwsBatchBackendContractIT extends ComputeBackendContract {

  static FakeAwsEndpoint aws;
  static ValidatorFactory validation;
  static final List<AutoCloseable> clients = new ArrayList<>();
  static AwsBatchBackend backend;

  @BeforeAll
  static void make() throws IOException {
    // the contract makes no S3 call and runs no job: nothing need listen where S3 would be
    aws =
        new FakeAwsEndpoint(
            URI.create("http://127.0.0.1:9"),
            TestRegistry.ADDRESS,
            remember(DockerAvailable.client()),
            Map.of());
    validation = Validation.buildDefaultValidatorFactory();
    backend = make(aws.endpoint());
  }

  @AfterAll
  static void close() throws Exception {
    for (AutoCloseable client : clients) {
      client.close();
    }
    validation.close();
    aws.close();
  }

  /** The backend as its configuration makes it, its clients calling {@code endpoint}. */
  static AwsBatchBackend make(URI endpoint) {
    AwsBatchConfiguration configuration = new AwsBatchConfiguration();
    AwsClientsConfiguration awsClients = new AwsClientsConfiguration();
    Binder binder =
        new Binder(
            new MapConfigurationPropertySource(
                Map.of(
                    "batch-executor.backend", "awsbatch",
                    "batch-executor.awsbatch.endpoint", endpoint.toString(),
                    "batch-executor.awsbatch.region", "us-east-1")));
    BatchExecutorProperties properties =
        binder.bindOrCreate("batch-executor", BatchExecutorProperties.class);
    AwsBatchProperties awsProperties =
        binder.bindOrCreate("batch-executor.awsbatch", AwsBatchProperties.class);
    ExecutorSettingsResolver settings =
        new ExecutorSettingsResolver(properties, awsProperties, validation.getValidator());
    DockerClient docker = remember(DockerAvailable.client());
    InMemoryObjectStore store = new InMemoryObjectStore();
    ObjectStores stores = new ObjectStores(store, List.of(store));
    JsonMapper json = JsonMapper.builder().build();
    Clock clock = Clock.systemUTC();
    AwsBatchClients clients =
        awsClients.awsBatchClients(
            remember(awsClients.batchClient(awsProperties, settings)),
            remember(awsClients.batchCreateOnceClient(awsProperties, settings)),
            remember(awsClients.ecrClient(awsProperties, settings)),
            remember(awsClients.stsClient(awsProperties, settings)),
            remember(awsClients.cloudWatchLogsClient(awsProperties, settings)),
            awsClients.awsThrottling());
    // the contract runs no step, so the steps need no task storage
    return configuration.awsBatchBackend(
        configuration.awsBatchBuildImage(
            new ImageBuilder(docker, java.time.Clock.systemUTC()), stores, properties, json, null),
        configuration.pushImage(docker, clients, clock),
        configuration.registerJobDefinition(
            clients,
            awsProperties,
            settings,
            awsClients.awsAccount(clients.sts()),
            clock,
            new AwsProfileOptionsConfiguration().queuePlatforms(clients, awsProperties, clock),
            new io.batchexecutor.config.TenancyProperties(null, null, null)),
        configuration.submitBatchJob(
            clients,
            null,
            null,
            awsProperties,
            stores,
            json,
            JobTags.none(),
            null,
            null,
            properties),
        clients,
        new FargateRules(
            new AwsProfileOptionsConfiguration().queuePlatforms(clients, awsProperties, clock)),
        new io.batchexecutor.config.TenancyProperties(null, null, null));
  }

  private static <C extends AutoCloseable> C remember(C client) {
    clients.add(client);
    return client;
  }

  @Override
  protected ComputeBackend backend() {
    return backend;
  }

  @Override
  protected BatchExecutorProperties.Backend selectedBy() {
    return BatchExecutorProperties.Backend.AWSBATCH;
  }

  @Override
  protected List<Task> tasksOnTheirWay() {
    List<Task> tasks = new ArrayList<>();
    Task queued = aTask();
    tasks.add(queued);
    Task building = aTask();
    building.startBuilding(AT);
    tasks.add(building);
    Task built = building(true);
    tasks.add(built);
    Task pushing = building(true);
    pushing.startPushing(AT);
    tasks.add(pushing);
    tasks.add(registering(false));
    tasks.add(registering(true));
    for (TaskStatus observed :
        List.of(
            TaskStatus.SUBMITTED,
            TaskStatus.PENDING,
            TaskStatus.RUNNABLE,
            TaskStatus.STARTING,
            TaskStatus.RUNNING)) {
      Task submitted = registering(true);
      submitted.submittedAsJob("job-" + observed, "AWS Batch", AT);
      if (observed != TaskStatus.SUBMITTED) {
        submitted.observe(observed, observed.name(), AT);
      }
      tasks.add(submitted);
    }
    return tasks;
  }

  private Task building(boolean built) {
    Task task = aTask();
    task.startBuilding(AT);
    if (built) {
      task.imageBuilt("batch-executor-env:contract", false, true, AT);
    }
    return task;
  }

  private Task registering(boolean registered) {
    Task task = building(true);
    task.startPushing(AT);
    task.imagePushed(
        FakeAwsEndpoint.ACCOUNT + ".dkr.ecr.us-east-1.amazonaws.com/repo:contract", false, AT);
    task.startRegistering(AT);
    if (registered) {
      task.registered(
          "arn:aws:batch:us-east-1:" + FakeAwsEndpoint.ACCOUNT + ":job-definition/jobs:1", AT);
    }
    return task;
  }

  @Override
  protected Optional<RuntimeException> failureWhenItsServiceIsDown() throws Exception {
    int closed = FreePorts.any();
    Task submitted = registering(true);
    submitted.submittedAsJob("job-nobody-answers", "AWS Batch", AT);
    try {
      make(URI.create("http://127.0.0.1:" + closed)).stop(submitted);
      throw new AssertionError("stop reached AWS at a port where nothing listens");
    } catch (RuntimeException e) {
      return Optional.of(e);
    }
  }

  @Override
  protected List<RuntimeException> answersOfItsServices() {
    return List.of(
        (RuntimeException)
            ClientException.builder()
                .statusCode(400)
                .message("Job queue does not exist.\n(Service: Batch, Status Code: 400)")
                .build());
  }

  @Override
  protected Optional<Task> aTaskWhoseRunIsGone() {
    Task task = registering(true);
    task.submittedAsJob("job-that-is-gone", "AWS Batch", AT);
    task.observe(TaskStatus.RUNNING, "running", AT);
    task.logStream("jobs/default/stream-that-is-gone", AT);
    return Optional.of(task);
  }
}
