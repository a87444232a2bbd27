package io.batchexecutor.api;

import io.batchexecutor.config.BatchExecutorProperties;
import org.apache.coyote.AbstractProtocol;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * The web server's request threads, sized to the machine ({@code
 * batch-executor.api.request-threads}: four a core, at least 8, unless set). A request mostly works
 * the CPU (JSON, the filters, the database's answer), so more threads than that only make requests
 * take turns at the cores in the scheduler's order instead of waiting in Tomcat's queue in their
 * own: on two cores, 16 clients submitting at once were answered at the same rate either way, but
 * with 200 threads one answer in a hundred took several times the rest. Held answers and followed
 * logs are asynchronous and hold no thread while they wait.
 */
@Configuration(proxyBeanMethods = false)
class RequestThreads {

  @Bean
  WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> requestThreadsCustomizer(
      BatchExecutorProperties properties) {
    return new Customizer(
        properties.api().requestThreads(Runtime.getRuntime().availableProcessors()));
  }

  /** After Boot's own customizer, whose {@code server.tomcat.threads.*} it replaces. */
  private record Customizer(int threads)
      implements WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory>, Ordered {

    @Override
    public void customize(ConfigurableTomcatWebServerFactory factory) {
      factory.addConnectorCustomizers(
          connector -> {
            if (connector.getProtocolHandler() instanceof AbstractProtocol<?> protocol) {
              protocol.setMinSpareThreads(Math.min(protocol.getMinSpareThreads(), threads));
              protocol.setMaxThreads(threads);
            }
          });
    }

    @Override
    public int getOrder() {
      return Ordered.LOWEST_PRECEDENCE;
    }
  }
}
