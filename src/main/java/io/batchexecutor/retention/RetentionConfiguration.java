package io.batchexecutor.retention;

import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.config.RetentionProperties;
import io.batchexecutor.support.Periodic;
import io.batchexecutor.task.DeleteTask;
import io.batchexecutor.task.TaskQueries;
import io.batchexecutor.workflow.DeleteWorkflow;
import io.batchexecutor.workflow.WorkflowRepository;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.scheduling.TaskScheduler;

/**
 * Unless {@code batch-executor.retention.keep-finished} is 0, an instance that runs the pipeline
 * deletes what ended longer ago (90 days unless set), a minute after it starts and then every
 * {@code check-every}. What is kept is said once at start.
 */
@Configuration(proxyBeanMethods = false)
public class RetentionConfiguration {

  private static final Logger log = LoggerFactory.getLogger(RetentionConfiguration.class);

  @Bean
  InitializingBean retentionSaidAtStart(BatchExecutorProperties properties) {
    return () -> {
      RetentionProperties retention = properties.retention();
      if (retention.on()) {
        log.info(
            "Finished tasks are deleted, with everything they stored, {} after they ended"
                + " (batch-executor.retention.keep-finished; 0 keeps them for ever)",
            retention.keepFinished());
      } else {
        log.info("Finished tasks are kept for ever (batch-executor.retention.keep-finished=0)");
      }
    };
  }

  @Bean
  @Conditional(RetentionOn.class)
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
  @Conditional(RetentionOn.class)
  @ConditionalOnProperty(name = "batch-executor.pipeline.enabled", matchIfMissing = true)
  SmartLifecycle retention(
      RemoveExpiredTasks remove, BatchExecutorProperties properties, TaskScheduler scheduler) {
    return new Periodic(
        scheduler, "retention", remove, Duration.ofMinutes(1), properties.retention().checkEvery());
  }

  /** Retention runs unless {@code keep-finished} is 0 (its default is 90 days). */
  static final class RetentionOn implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      return !Binder.get(context.getEnvironment())
          .bind("batch-executor.retention.keep-finished", Duration.class)
          .orElse(Duration.ofDays(90))
          .isZero();
    }
  }
}
