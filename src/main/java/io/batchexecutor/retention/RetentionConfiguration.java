package io.batchexecutor.retention;

import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.support.Periodic;
import io.batchexecutor.task.DeleteTask;
import io.batchexecutor.task.TaskQueries;
import io.batchexecutor.workflow.DeleteWorkflow;
import io.batchexecutor.workflow.WorkflowRepository;
import java.time.Clock;
import java.time.Duration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;

/**
 * With {@code batch-executor.retention.keep-finished} set, an instance that runs the pipeline
 * deletes what ended longer ago, a minute after it starts and then every {@code check-every}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "batch-executor.retention.keep-finished")
public class RetentionConfiguration {

  @Bean
  RemoveExpiredTasks removeExpiredTasks(
      TaskQueries tasks,
      WorkflowRepository workflows,
      DeleteTask deleteTask,
      DeleteWorkflow deleteWorkflow,
      BatchExecutorProperties properties,
      Clock clock) {
    return new RemoveExpiredTasks(
        tasks, workflows, deleteTask, deleteWorkflow, properties.retention().keepFinished(), clock);
  }

  @Bean
  @ConditionalOnProperty(name = "batch-executor.pipeline.enabled", matchIfMissing = true)
  SmartLifecycle retention(
      RemoveExpiredTasks remove, BatchExecutorProperties properties, TaskScheduler scheduler) {
    return new Periodic(
        scheduler, "retention", remove, Duration.ofMinutes(1), properties.retention().checkEvery());
  }
}
