package io.batchexecutor.backend.local;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.BadRequestException;
import com.github.dockerjava.api.exception.NotFoundException;
import io.batchexecutor.backend.ComputeBackend;
import io.batchexecutor.backend.ComputeBackendContract;
import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.docker.DockerConfiguration;
import io.batchexecutor.image.ImageBuilder;
import io.batchexecutor.storage.LocalObjectStore;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.FreePorts;
import io.batchexecutor.support.TaskBuilder;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The local Docker backend keeps the backend contract, made by {@link LocalBackendConfiguration} on
 * the tests' engine. The contract runs no step, so nothing reads tasks from a database.
 */
class LocalDockerBackendContractIT extends ComputeBackendContract {

  @TempDir static Path objects;
  static DockerClient docker;
  static LocalDockerBackend backend;

  @BeforeAll
  static void make() {
    docker = DockerAvailable.client();
    backend = make(docker);
  }

  @AfterAll
  static void close() throws IOException {
    docker.close();
  }

  /** The backend as its configuration makes it, on {@code docker}. */
  static LocalDockerBackend make(DockerClient docker) {
    LocalBackendConfiguration configuration = new LocalBackendConfiguration();
    JsonMapper json = JsonMapper.builder().build();
    LocalObjectStore store = new LocalObjectStore(objects);
    ObjectStores stores = new ObjectStores(store, List.of(store));
    BatchExecutorProperties properties =
        new Binder(new MapConfigurationPropertySource(Map.of()))
            .bindOrCreate("batch-executor", BatchExecutorProperties.class);
    return configuration.localDockerBackend(
        configuration.localContainers(
            docker, null, stores, json, configuration.containerConfinement(properties)),
        new ImageBuilder(docker, java.time.Clock.systemUTC()),
        stores,
        properties,
        json,
        // the contract runs no step, so nothing is ever scheduled
        new org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler(),
        io.batchexecutor.task.SubWorkflows.NONE,
        null);
  }

  @Override
  protected ComputeBackend backend() {
    return backend;
  }

  @Override
  protected BatchExecutorProperties.Backend selectedBy() {
    return BatchExecutorProperties.Backend.LOCAL;
  }

  @Override
  protected void assumeItsServices() {
    DockerAvailable.assume(docker);
  }

  @Override
  protected List<Task> tasksOnTheirWay() {
    Task queued = aTask();
    Task building = aTask();
    building.startBuilding(AT);
    Task built = aTask();
    built.startBuilding(AT);
    built.imageBuilt("batch-executor-env:contract", false, true, AT);
    Task submitted = aTask();
    submitted.startBuilding(AT);
    submitted.imageBuilt("batch-executor-env:contract", false, true, AT);
    submitted.submittedToContainer("c".repeat(64), AT);
    Task running = aTask();
    running.startBuilding(AT);
    running.imageBuilt("batch-executor-env:contract", false, true, AT);
    running.submittedToContainer("c".repeat(64), AT);
    running.observe(TaskStatus.RUNNING, "running", AT);
    Task sweepBuilt = aSweep();
    sweepBuilt.startBuilding(AT);
    sweepBuilt.imageBuilt("batch-executor-env:contract", false, true, AT);
    Task sweepLaunched = aSweep();
    sweepLaunched.startBuilding(AT);
    sweepLaunched.imageBuilt("batch-executor-env:contract", false, true, AT);
    sweepLaunched.sweepLaunched(2, 2, AT);
    Task sweepRunning = aSweep();
    sweepRunning.startBuilding(AT);
    sweepRunning.imageBuilt("batch-executor-env:contract", false, true, AT);
    sweepRunning.sweepLaunched(2, 2, AT);
    sweepRunning.observe(TaskStatus.RUNNING, "running 2 combinations", AT);
    return List.of(
        queued, building, built, submitted, running, sweepBuilt, sweepLaunched, sweepRunning);
  }

  private Task aSweep() {
    return TaskBuilder.aTask()
        .backend(backend.name())
        .acceptedAt(AT)
        .sweep(Map.of("x", List.of(1, 2)))
        .build();
  }

  @Override
  protected Optional<RuntimeException> failureWhenItsServiceIsDown() throws Exception {
    int closed = FreePorts.any();
    try (DockerClient nobody = DockerConfiguration.connect("tcp://127.0.0.1:" + closed)) {
      Task running = tasksOnTheirWay().get(4);
      make(nobody).stop(running);
      throw new AssertionError("stop reached an engine at a port where nothing listens");
    } catch (RuntimeException e) {
      return Optional.of(e);
    }
  }

  @Override
  protected List<RuntimeException> answersOfItsServices() {
    return List.of(
        new BadRequestException(
            "Status 400: {\"message\":\"invalid reference format\\nsee the image name\"}\n"),
        new NotFoundException("Status 404: {\"message\":\"No such container: c\"}"));
  }

  @Override
  protected Optional<Task> aTaskWhoseRunIsGone() {
    return Optional.of(tasksOnTheirWay().get(4)); // RUNNING in a container that does not exist
  }
}
