package io.batchexecutor.docker;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.exception.BadRequestException;
import com.github.dockerjava.api.exception.InternalServerErrorException;
import java.net.ConnectException;
import org.apache.hc.core5.http.TruncatedChunkException;
import org.junit.jupiter.api.Test;

class DockerFailuresTest {

  @Test
  void anAnswerCutShortIsAnEngineOutOfReachNotAFailedTask() {
    assertThat(
            DockerFailures.unreachable(
                new RuntimeException(
                    new TruncatedChunkException("Truncated chunk (expected 5084; actual 3873)"))))
        .isTrue();
    assertThat(DockerFailures.unreachable(new RuntimeException(new ConnectException("refused"))))
        .isTrue();
    assertThat(DockerFailures.unreachable(new BadRequestException("{\"message\":\"no\"}")))
        .as("an answer is an answer")
        .isFalse();
  }

  @Test
  void anEngineRefusalIsItsMessageWithTheStatus() {
    assertThat(
            DockerFailures.refusal(
                new BadRequestException("{\"message\":\"Range of CPUs is from 0.01 to 2.00\"}\n")))
        .isEqualTo("the Docker engine refused (400): Range of CPUs is from 0.01 to 2.00");
  }

  @Test
  void aRefusalWithoutAJsonBodyKeepsItsText() {
    assertThat(DockerFailures.refusal(new InternalServerErrorException("broken {")))
        .isEqualTo("the Docker engine refused (500): broken {");
  }

  @Test
  void anythingElseIsItsMessage() {
    assertThat(DockerFailures.refusal(new IllegalStateException(" no image \n")))
        .isEqualTo("no image");
    assertThat(DockerFailures.refusal(new RuntimeException(new ConnectException("refused"))))
        .isEqualTo("java.net.ConnectException: refused");
  }
}
