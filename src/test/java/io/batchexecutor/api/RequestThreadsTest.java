package io.batchexecutor.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.config.ApiProperties;
import io.batchexecutor.support.ServiceTest;
import java.time.Duration;
import org.apache.coyote.AbstractProtocol;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.test.context.TestPropertySource;
import org.springframework.util.unit.DataSize;

/** The web server takes as many requests at once as {@code batch-executor.api.request-threads}. */
@ServiceTest
@TestPropertySource(properties = "batch-executor.api.request-threads=3")
class RequestThreadsTest {

  @Autowired WebServerApplicationContext context;

  @Test
  void theServerHasTheConfiguredRequestThreads() {
    AbstractProtocol<?> protocol =
        (AbstractProtocol<?>)
            ((TomcatWebServer) context.getWebServer())
                .getTomcat()
                .getConnector()
                .getProtocolHandler();
    assertThat(protocol.getMaxThreads()).isEqualTo(3);
    assertThat(protocol.getMinSpareThreads()).isLessThanOrEqualTo(3);
  }

  @Test
  void unsetTheyAreFourACoreAndAtLeastEight() {
    ApiProperties unset =
        new ApiProperties(
            DataSize.ofMegabytes(5), Duration.ofSeconds(60), 8, DataSize.ofMegabytes(1), 200, 0);
    assertThat(unset.requestThreads(1)).isEqualTo(8);
    assertThat(unset.requestThreads(2)).isEqualTo(8);
    assertThat(unset.requestThreads(16)).isEqualTo(64);
    ApiProperties set =
        new ApiProperties(
            DataSize.ofMegabytes(5), Duration.ofSeconds(60), 8, DataSize.ofMegabytes(1), 200, 12);
    assertThat(set.requestThreads(16)).isEqualTo(12);
  }
}
