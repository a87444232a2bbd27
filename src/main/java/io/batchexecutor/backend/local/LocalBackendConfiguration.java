package io.batchexecutor.backend.local;

import com.github.dockerjava.api.DockerClient;
import io.batchexecutor.backend.BuildImage;
import io.batchexecutor.backend.TaskInputs;
import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.config.BatchExecutorProperties.Backend;
import io.batchexecutor.config.ConditionalOnBackend;
import io.batchexecutor.image.ImageBuilder;
import io.batchexecutor.image.Runner;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.support.Periodic;
import io.batchexecutor.task.SubWorkflows;
import io.batchexecutor.task.TaskQueries;
import io.batchexecutor.task.UploadedFiles;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code local} among the deployment's backends (the default): tasks run on the local Docker
 * engine. The backend's beans exist wherever the deployment lists it (its logs are read through
 * them); the removal of leftover containers runs only where this instance runs its tasks.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBackend(Backend.LOCAL)
public class LocalBackendConfiguration {

  private static final Logger log = LoggerFactory.getLogger(LocalBackendConfiguration.class);

  /**
   * How task containers are confined ({@code batch-executor.local.*}): said at start, with a
   * warning for each way it is looser than the defaults.
   */
  @Bean
  ContainerConfinement containerConfinement(BatchExecutorProperties properties) {
    ContainerConfinement confinement = ContainerConfinement.of(properties);
    log.info(
        "Task containers run as {} with network {}, no capabilities{}{}, pids limit {}, logs up to"
            + " {} bytes",
        confinement.user(),
        confinement.networkMode(),
        confinement.addCapabilities().isEmpty() ? "" : " but " + confinement.addCapabilities(),
        confinement.readOnlyRoot() ? ", a read-only root" : "",
        confinement.pidsLimit() == 0 ? "none" : confinement.pidsLimit(),
        confinement.maxLogBytes());
    for (String relaxation : confinement.relaxations()) {
      log.warn("Task containers are less confined than by default: {}", relaxation);
    }
    return confinement;
  }

  /** The confinement of task containers, in the health details: each relaxation named. */
  @Bean
  HealthIndicator taskContainers(ContainerConfinement confinement) {
    Health health = Health.up().withDetails(confinement.details()).build();
    return () -> health;
  }

  @Bean
  LocalContainers localContainers(
      DockerClient docker,
      TaskQueries tasks,
      ObjectStores stores,
      JsonMapper json,
      ContainerConfinement confinement) {
    return new LocalContainers(docker, new TaskInputs(tasks, stores, json), json, confinement);
  }

  @Bean
  LocalDockerBackend localDockerBackend(
      LocalContainers containers,
      ImageBuilder builder,
      ObjectStores stores,
      BatchExecutorProperties properties,
      JsonMapper json,
      TaskScheduler scheduler,
      SubWorkflows subWorkflows,
      UploadedFiles uploads) {
    return new LocalDockerBackend(
        containers,
        new BuildImage(builder, stores, Runner.script(), properties.image(), json, false, uploads)
            .takingRecentImages(),
        new RunSweep(containers, stores, json, properties.local().sweepParallelism()),
        new AwaitContainer(containers, stores, json, scheduler, subWorkflows),
        builder::forget);
  }

  /**
   * Every 10 minutes (first a minute after start), removes the containers of tasks that ended but
   * whose container an instance stopped before removing it ({@link RemoveLeftoverContainers}).
   */
  @Bean
  @ConditionalOnProperty(name = "batch-executor.pipeline.enabled", matchIfMissing = true)
  @ConditionalOnBackend(value = Backend.LOCAL, here = true)
  SmartLifecycle leftoverContainers(
      LocalContainers containers, TaskQueries tasks, TaskScheduler scheduler) {
    return new Periodic(
        scheduler,
        "leftover-containers",
        new RemoveLeftoverContainers(containers, tasks),
        Duration.ofMinutes(1),
        Duration.ofMinutes(10));
  }
}
