package io.batchexecutor.support.s3;

import org.apache.catalina.connector.Connector;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.tomcat.TomcatWebServerFactory;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Loaded into the S3Mock process (through {@code META-INF/spring.factories}): binds S3Mock's extra
 * plain HTTP connector to 127.0.0.1, as {@code server.address} does for its main one.
 */
public class LoopbackConnectors
    implements ApplicationContextInitializer<ConfigurableApplicationContext> {

  @Override
  public void initialize(ConfigurableApplicationContext context) {
    context
        .getBeanFactory()
        .addBeanPostProcessor(
            new BeanPostProcessor() {
              @Override
              public Object postProcessAfterInitialization(Object bean, String name) {
                if (bean instanceof TomcatWebServerFactory factory) {
                  for (Connector connector : factory.getAdditionalConnectors()) {
                    connector.setProperty("address", "127.0.0.1");
                  }
                }
                return bean;
              }
            });
  }
}
