package io.batchexecutor.pipeline;

import io.batchexecutor.backend.ComputeBackend;
import io.batchexecutor.backend.NoComputeBackend;
import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.config.BatchExecutorProperties.Backend;
import io.batchexecutor.config.ConditionalOnBackend;
import io.batchexecutor.config.DeploymentBackends;
import io.batchexecutor.db.ThisInstance;
import io.batchexecutor.task.HeldTasks;
import io.batchexecutor.task.TaskNotifications;
import io.batchexecutor.task.TaskQueries;
import io.batchexecutor.task.TaskRepository;
import io.batchexecutor.task.WorkQueue;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;

/**
 * Wires the pipeline to the compute backends this instance runs ({@code
 * batch-executor.instance.backends}, else all of {@code batch-executor.backends}).
 */
@Configuration(proxyBeanMethods = false)
public class PipelineConfiguration {

  private static final Logger log = LoggerFactory.getLogger(PipelineConfiguration.class);

  /** {@code none} as the deployment's backend: tasks are tracked and fail when claimed. */
  @Bean
  @ConditionalOnBackend(Backend.NONE)
  NoComputeBackend noComputeBackend() {
    return new NoComputeBackend();
  }

  /** Which backends the deployment and this instance run, said once at start and in health. */
  @Bean
  HealthIndicator backends(BatchExecutorProperties properties) {
    DeploymentBackends backends = properties.deployment();
    log.info(
        "Backends of the deployment: {} (default {}); this instance runs {}",
        String.join(",", backends.deploymentNames()),
        backends.deploymentNames().get(0),
        backends.instanceNames().isEmpty() ? "none" : String.join(",", backends.instanceNames()));
    Health health =
        Health.up()
            .withDetail("deployment", backends.deploymentNames())
            .withDetail("default", backends.deploymentNames().get(0))
            .withDetail("this_instance", backends.instanceNames())
            .build();
    return () -> health;
  }

  @Bean
  @ConditionalOnProperty(name = "batch-executor.pipeline.enabled", matchIfMissing = true)
  Pipeline pipeline(
      TaskRepository tasks,
      HeldTasks held,
      WorkQueue queue,
      TaskQueries queries,
      ObjectProvider<ComputeBackend> backends,
      TaskNotifications notifications,
      BatchExecutorProperties properties,
      Clock clock,
      MeterRegistry meters,
      TaskScheduler scheduler,
      ThisInstance self) {
    List<String> here = properties.deployment().instanceNames();
    List<ComputeBackend> running =
        backends.orderedStream().filter(b -> here.contains(b.name())).toList();
    return new Pipeline(
        tasks,
        held,
        queue,
        queries,
        running.isEmpty() ? List.of(new NoComputeBackend()) : running,
        notifications,
        properties.pipeline(),
        clock,
        meters,
        scheduler,
        self.leaseOwner());
  }
}
