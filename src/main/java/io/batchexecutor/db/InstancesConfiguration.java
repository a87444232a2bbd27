package io.batchexecutor.db;

import com.zaxxer.hikari.HikariDataSource;
import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.support.Periodic;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.TaskScheduler;

/**
 * Lets instances on one database see each other: this instance's connections carry its name (see
 * {@link ThisInstance}), and {@link OtherInstances} (health component {@code instances}) looks at
 * start-up and every {@code batch-executor.instances.check-interval} (default one minute) for the
 * others.
 */
@Configuration(proxyBeanMethods = false)
public class InstancesConfiguration {

  static final String APPLICATION_NAME = "ApplicationName";

  @Bean
  ThisInstance thisInstance(ObjectStores stores) {
    return ThisInstance.of(stores.primaryIdentity());
  }

  /**
   * Names the connections of the data source that {@code spring.datasource.*} configures (the
   * embedded database's names its own), before its pool opens the first.
   */
  @Bean
  static BeanPostProcessor connectionsCarryTheInstanceName(ObjectProvider<ThisInstance> self) {
    return new BeanPostProcessor() {
      @Override
      public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof HikariDataSource hikari && !hikari.isRunning()) {
          hikari.addDataSourceProperty(APPLICATION_NAME, self.getObject().applicationName());
        }
        return bean;
      }
    };
  }

  @Bean
  OtherInstances instances(JdbcClient jdbc, ThisInstance self, ObjectStores stores) {
    return new OtherInstances(jdbc, self, stores.primaryIsLocal());
  }

  @Bean
  Periodic instancesCheck(
      OtherInstances others, BatchExecutorProperties properties, TaskScheduler scheduler) {
    return new Periodic(
        scheduler,
        "instances-check",
        others::check,
        Duration.ZERO,
        properties.instances().checkInterval());
  }
}
