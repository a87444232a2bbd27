package io.batchexecutor.backend.local;

import com.github.dockerjava.api.DockerClient;
import io.batchexecutor.backend.BuildImage;
import io.batchexecutor.backend.TaskInputs;
import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.image.ImageBuilder;
import io.batchexecutor.image.Runner;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.support.Periodic;
import io.batchexecutor.task.TaskQueries;
import java.time.Duration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;
import tools.jackson.databind.json.JsonMapper;

/** {@code batch-executor.backend=local} (the default): tasks run on the local Docker engine. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(
    name = "batch-executor.backend",
    havingValue = "local",
    matchIfMissing = true)
public class LocalBackendConfiguration {

  @Bean
  LocalContainers localContainers(
      DockerClient docker, TaskQueries tasks, ObjectStores stores, JsonMapper json) {
    return new LocalContainers(docker, new TaskInputs(tasks, stores, json), json);
  }

  @Bean
  LocalDockerBackend localDockerBackend(
      LocalContainers containers,
      ImageBuilder builder,
      ObjectStores stores,
      BatchExecutorProperties properties,
      JsonMapper json,
      TaskScheduler scheduler) {
    return new LocalDockerBackend(
        containers,
        new BuildImage(builder, stores, Runner.script(), properties.image(), json, false),
        new RunSweep(containers, stores, json, properties.local().sweepParallelism()),
        new AwaitContainer(containers, stores, json, scheduler));
  }

  /**
   * Every 10 minutes (first a minute after start), removes the containers of tasks that ended but
   * whose container an instance stopped before removing it ({@link RemoveLeftoverContainers}).
   */
  @Bean
  @ConditionalOnProperty(name = "batch-executor.pipeline.enabled", matchIfMissing = true)
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
