package io.batchexecutor.backend.awsbatch.events;

import io.batchexecutor.backend.awsbatch.AwsBatchBackend;
import io.batchexecutor.config.AwsBatchEventsProperties;
import io.batchexecutor.config.AwsBatchProperties;
import io.batchexecutor.config.AwsClients;
import io.batchexecutor.config.BatchExecutorProperties.Backend;
import io.batchexecutor.config.ConditionalOnBackend;
import io.batchexecutor.config.ExecutorSettingsResolver;
import io.batchexecutor.task.WatchedJobWakeUps;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.services.sqs.SqsClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * AWS Batch job state-change events, on an instance that runs the awsbatch backend's tasks and
 * their poller: with {@code batch-executor.awsbatch.events.queue-url} set, the SQS client and the
 * receiver; in any case the health entry and the counters that say whether events are on.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBackend(value = Backend.AWSBATCH, here = true)
@ConditionalOnProperty(name = "batch-executor.pipeline.enabled", matchIfMissing = true)
public class JobEventsConfiguration {

  static final String RECEIVED = "batch.executor.aws.events.received";
  static final String USED = "batch.executor.aws.events.used";

  @Bean(destroyMethod = "close")
  @ConditionalOnProperty(name = "batch-executor.awsbatch.events.queue-url")
  SqsClient jobEventsSqsClient(AwsBatchProperties aws, ExecutorSettingsResolver settings) {
    return AwsClients.configure(SqsClient.builder(), aws, settings.defaults()).build();
  }

  @Bean
  @ConditionalOnProperty(name = "batch-executor.awsbatch.events.queue-url")
  JobEventsLoop jobEventsLoop(
      SqsClient sqs,
      AwsBatchEventsProperties events,
      WatchedJobWakeUps wakeUps,
      JsonMapper json,
      Clock clock) {
    if (!events.enabled()) {
      throw new IllegalStateException(
          "batch-executor.awsbatch.events.queue-url is empty: give the queue's URL, or leave the"
              + " setting out for no events");
    }
    ReceiveJobEvents receiver =
        new ReceiveJobEvents(
            sqs,
            events.queueUrl(),
            at -> wakeUps.wake(AwsBatchBackend.WATCHED, at),
            json,
            clock,
            events.minInterval());
    return new JobEventsLoop(receiver, events.receiveWait(), events.maxBackOff());
  }

  /** Whether events are on, how many came and were used, and the last failure to receive them. */
  @Bean
  HealthIndicator awsBatchEvents(ObjectProvider<JobEventsLoop> loops) {
    return () -> {
      Optional<JobEventsLoop> loop = Optional.ofNullable(loops.getIfAvailable());
      if (loop.isEmpty()) {
        return Health.up().withDetail("events", "off: job statuses are polled only").build();
      }
      ReceiveJobEvents.Counts counts = loop.get().receiver().counts();
      Health.Builder health =
          Health.up()
              .withDetail("events", "on")
              .withDetail("received", counts.received())
              .withDetail("used", counts.used())
              .withDetail("ignored", counts.ignored());
      String error = loop.get().lastError();
      if (error != null) {
        health.withDetail("lastError", error);
      }
      return health.build();
    };
  }

  /** The events received and used, as counters (zero while events are off). */
  @Bean
  MeterBinder awsBatchEventMeters(ObjectProvider<JobEventsLoop> loops) {
    return registry -> {
      JobEventsLoop loop = loops.getIfAvailable();
      ReceiveJobEvents receiver = loop == null ? null : loop.receiver();
      FunctionCounter.builder(RECEIVED, receiver, r -> r == null ? 0 : r.counts().received())
          .description("AWS Batch job state-change events received from SQS")
          .register(registry);
      FunctionCounter.builder(USED, receiver, r -> r == null ? 0 : r.counts().used())
          .description("AWS Batch job state-change events that made a watched task's poll due")
          .register(registry);
    };
  }
}
