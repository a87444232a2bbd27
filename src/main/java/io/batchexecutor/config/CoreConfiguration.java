package io.batchexecutor.config;

import java.time.Clock;
import java.time.Duration;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.boot.task.ThreadPoolTaskSchedulerBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.PropertyNamingStrategies;

/** The clock, the scheduler and the JSON rules of the whole service. */
@Configuration(proxyBeanMethods = false)
public class CoreConfiguration {

  @Bean
  Clock clock() {
    // microseconds: what PostgreSQL keeps, so a task reads back exactly as it was written
    return Clock.tick(Clock.systemUTC(), Duration.ofNanos(1000));
  }

  /**
   * The service's one scheduler for periodic and delayed work (the held answers' and log followers'
   * ticks, the Batch poller, lease renewal and reaping, retention, removing finished containers),
   * made by Spring Boot's builder from {@code spring.task.scheduling.*}.
   */
  @Bean
  ThreadPoolTaskScheduler taskScheduler(ThreadPoolTaskSchedulerBuilder builder) {
    return builder.build();
  }

  /**
   * JSON in snake_case everywhere, and strict: an unknown field, a fraction where a whole number
   * belongs, or a string where a number belongs is an error, never silently coerced or dropped.
   */
  @Bean
  JsonMapperBuilderCustomizer strictSnakeCaseJson() {
    return builder ->
        builder
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS);
  }
}
