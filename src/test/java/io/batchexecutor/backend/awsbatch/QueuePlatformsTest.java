package io.batchexecutor.backend.awsbatch;

import static io.batchexecutor.backend.awsbatch.AwsBatchStepsTest.registering;
import static io.batchexecutor.backend.awsbatch.FargateTest.effective;
import static io.batchexecutor.backend.awsbatch.FargateTest.on;
import static io.batchexecutor.backend.awsbatch.FargateTest.requested;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.backend.StepResult;
import io.batchexecutor.support.SettableClock;
import io.batchexecutor.task.InvalidTaskException;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.batch.model.BatchException;
import software.amazon.awssdk.services.batch.model.ClientException;
import software.amazon.awssdk.services.batch.model.ServerException;

/**
 * A job queue that cannot be read: only AWS's answers count towards giving up, never an outage, and
 * clients never read AWS's own message.
 */
class QueuePlatformsTest {

  static final String SECRET =
      "arn:aws:sts::123456789012:assumed-role/batch-executor-service/i-0a1";

  final FakeBatch batch = new FakeBatch();
  final SettableClock clock = SettableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
  final QueuePlatforms platforms = new QueuePlatforms(batch, clock, Duration.ofMinutes(10));
  final FargateRules rules = new FargateRules(platforms);

  QueuePlatformsTest() {
    batch.queues.add("jobs");
  }

  @Test
  void throughAnOutageOfAnHourTasksKeepWaitingAndNothingIsRefused() {
    Task task = registering(on("jobs", 2.0, 4.0));
    List<RuntimeException> outage =
        List.of(
            SdkClientException.create("Unable to execute HTTP request: " + SECRET),
            error(429, "TooManyRequestsException"),
            ServerException.builder()
                .statusCode(500)
                .message(SECRET)
                .awsErrorDetails(details("ServerException"))
                .build(),
            error(400, "ThrottlingException"));
    for (int minute = 0; minute <= 60; minute += 2) {
      batch.queueFailure = outage.get(minute / 2 % outage.size());

      assertThat(platforms.unknownFor(task, clock.instant()))
          .contains(StepResult.releaseFor(QueuePlatforms.UNUSABLE_FOR));
      assertThat(task.status()).as("minute %d", minute).isEqualTo(TaskStatus.REGISTERING);
      assertThat(task.statusReason())
          .isEqualTo(
              "waiting for the queue's platform: job queue jobs could not be read: AWS Batch did"
                  + " not answer (unreachable, throttling or a server error); waiting for it");
      assertThat(rules.problems(requested(null, null), effective("jobs", 2.0, 4.0, 0))).isEmpty();
      clock.advance(Duration.ofMinutes(2));
    }

    batch.queueFailure = null;
    assertThat(platforms.of("jobs")).isEqualTo(QueuePlatforms.Platform.EC2);
  }

  @Test
  void accessDeniedForLongerThanTheGiveUpTimeFailsTheTaskWithAFixedText() {
    batch.queueFailure = error(403, "AccessDeniedException");
    Task task = registering(on("jobs", 2.0, 4.0));

    platforms.unknownFor(task, clock.instant());
    clock.advance(Duration.ofMinutes(29));
    platforms.unknownFor(task, clock.instant());
    assertThat(task.status()).as("within the 30 min").isEqualTo(TaskStatus.REGISTERING);
    assertThat(task.statusReason()).doesNotContain("123456789012");

    clock.advance(Duration.ofMinutes(2));
    assertThat(platforms.unknownFor(task, clock.instant())).contains(StepResult.proceed());

    assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(task.error().type()).isEqualTo("ProfileUnusable");
    assertThat(task.statusReason())
        .isEqualTo(
            "execution profile unusable: job queue jobs could not be read: access denied to"
                + " batch:DescribeJobQueues or batch:DescribeComputeEnvironments (for 31 min,"
                + " longer than batch-executor.awsbatch.platform-give-up-after)");
    assertThat(task.error().message()).isEqualTo(task.statusReason());
    assertThat(rules.problems(requested(null, null), effective("jobs", 2.0, 4.0, 0)))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.kind()).isEqualTo(InvalidTaskException.PROFILE_UNUSABLE);
              assertThat(v.message())
                  .contains("job queue jobs could not be read: access denied")
                  .contains("platform-give-up-after")
                  .doesNotContain("123456789012")
                  .doesNotContain("assumed-role");
            });
  }

  @Test
  void anInvalidRequestCountsButAnOutageInBetweenDoesNotGiveUp() {
    batch.queueFailure =
        ClientException.builder()
            .statusCode(400)
            .message("Invalid job queue " + SECRET)
            .awsErrorDetails(details("ClientException"))
            .build();
    assertThat(platforms.of("jobs").reason())
        .isEqualTo(
            "job queue jobs could not be read: AWS Batch refused the request (check the execution"
                + " profile's batch-queue)");
    clock.advance(Duration.ofMinutes(20));
    platforms.of("jobs");

    // AWS stops answering: past the give-up time, but the last read had no answer
    batch.queueFailure = SdkClientException.create("connect timed out");
    clock.advance(Duration.ofMinutes(20));
    assertThat(platforms.of("jobs").kind()).isEqualTo(QueuePlatforms.Platform.Kind.UNKNOWN);

    // it answers again, still refusing: 40 min of refusals, given up
    batch.queueFailure = error(400, "ClientException");
    clock.advance(Duration.ofMinutes(2));
    assertThat(platforms.of("jobs").kind()).isEqualTo(QueuePlatforms.Platform.Kind.UNUSABLE);
  }

  @Test
  void whatCountsAsAnAnswer() {
    assertThat(QueuePlatforms.definite(error(403, "AccessDeniedException"))).isTrue();
    assertThat(QueuePlatforms.definite(error(400, "ClientException"))).isTrue();
    assertThat(QueuePlatforms.definite(error(429, "TooManyRequestsException"))).isFalse();
    assertThat(QueuePlatforms.definite(error(400, "ThrottlingException"))).isFalse();
    assertThat(QueuePlatforms.definite(error(503, "ServiceUnavailable"))).isFalse();
    assertThat(QueuePlatforms.definite(SdkClientException.create("no route"))).isFalse();
    assertThat(QueuePlatforms.definite(new IllegalStateException("x"))).isFalse();
  }

  private static BatchException error(int status, String code) {
    return (BatchException)
        BatchException.builder()
            .statusCode(status)
            .message("User: " + SECRET + " is not authorized")
            .awsErrorDetails(details(code))
            .build();
  }

  private static AwsErrorDetails details(String code) {
    return AwsErrorDetails.builder()
        .errorCode(code)
        .errorMessage("User: " + SECRET + " is not authorized")
        .build();
  }
}
