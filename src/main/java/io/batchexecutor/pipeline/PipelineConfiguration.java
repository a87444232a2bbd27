package io.batchexecutor.pipeline;

import io.batchexecutor.backend.ComputeBackend;
import io.batchexecutor.backend.NoComputeBackend;
import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.db.ThisInstance;
import io.batchexecutor.task.TaskNotifications;
import io.batchexecutor.task.TaskQueries;
import io.batchexecutor.task.TaskRepository;
import io.batchexecutor.task.WorkQueue;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;

/** Wires the pipeline to the compute backend that {@code batch-executor.backend} names. */
@Configuration(proxyBeanMethods = false)
public class PipelineConfiguration {

  @Bean
  @ConditionalOnProperty(name = "batch-executor.pipeline.enabled", matchIfMissing = true)
  Pipeline pipeline(
      TaskRepository tasks,
      WorkQueue queue,
      TaskQueries queries,
      ObjectProvider<ComputeBackend> backends,
      TaskNotifications notifications,
      BatchExecutorProperties properties,
      Clock clock,
      MeterRegistry meters,
      TaskScheduler scheduler,
      ThisInstance self) {
    ComputeBackend backend = backends.getIfAvailable(NoComputeBackend::new);
    return new Pipeline(
        tasks,
        queue,
        queries,
        backend,
        notifications,
        properties.pipeline(),
        clock,
        meters,
        scheduler,
        self.leaseOwner());
  }
}
