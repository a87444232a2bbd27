package io.batchexecutor.backend.awsbatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.backend.Unreachable;
import io.batchexecutor.docker.DockerUnavailableException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.batch.model.BatchException;
import software.amazon.awssdk.services.batch.model.ClientException;

/** Which AWS-side failures are waited out and which end the task. */
class AwsUnreachableTest {

  @Test
  void aConnectionThatCannotBeMadeIsWaitedOut() {
    assertThat(
            AwsUnreachable.of(
                SdkClientException.create(
                    "Unable to execute HTTP request: Connect to 127.0.0.1:9 failed",
                    new ConnectException("Connection refused"))))
        .get()
        .extracting(Unreachable::kind)
        .isEqualTo("AwsUnreachable");
  }

  @Test
  void aServerErrorOrThrottlingThatOutlastedTheRetriesIsWaitedOut() {
    assertThat(AwsUnreachable.of(BatchException.builder().statusCode(503).message("busy").build()))
        .get()
        .satisfies(u -> assertThat(u.description()).contains("503").contains("busy"));
    assertThat(
            AwsUnreachable.of(
                BatchException.builder()
                    .statusCode(400)
                    .awsErrorDetails(
                        software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder()
                            .errorCode("TooManyRequestsException")
                            .build())
                    .build()))
        .isPresent();
  }

  @Test
  void aRefusalIsAnAnswerAndNotWaitedOut() {
    assertThat(
            AwsUnreachable.of(
                ClientException.builder().statusCode(400).message("bad job definition").build()))
        .isEmpty();
    assertThat(AwsUnreachable.of(SdkClientException.create("Unable to load credentials")))
        .as("missing credentials will not fix themselves")
        .isEmpty();
    assertThat(AwsUnreachable.of(new IllegalStateException("bug"))).isEmpty();
  }

  @Test
  void anUnansweringDockerEngineIsWaitedOutToo() {
    assertThat(
            AwsUnreachable.of(
                new RuntimeException(
                    new DockerUnavailableException(new java.net.SocketException("refused")))))
        .get()
        .extracting(Unreachable::kind)
        .isEqualTo("DockerUnavailable");
  }
}
