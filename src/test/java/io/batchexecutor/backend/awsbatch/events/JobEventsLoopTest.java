package io.batchexecutor.backend.awsbatch.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.batchexecutor.support.SettableClock;
import io.batchexecutor.task.WatchedJobWakeUps.Woken;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import software.amazon.awssdk.services.sqs.model.SqsException;
import tools.jackson.databind.json.JsonMapper;

class JobEventsLoopTest {

  /**
   * SQS that refuses the first call, answers the second at once, then long-polls until the caller
   * is interrupted.
   */
  static final class FlakySqs implements SqsClient {
    final AtomicInteger calls = new AtomicInteger();
    final CountDownLatch polling = new CountDownLatch(1);

    @Override
    public ReceiveMessageResponse receiveMessage(ReceiveMessageRequest request) {
      int call = calls.incrementAndGet();
      if (call == 1) {
        throw SqsException.builder().message("Access to the resource is denied.").build();
      }
      if (call == 2) {
        return ReceiveMessageResponse.builder().build();
      }
      polling.countDown();
      try {
        Thread.sleep(Duration.ofSeconds(request.waitTimeSeconds()).toMillis());
      } catch (InterruptedException e) {
        throw AbortedException.builder().message("interrupted").build();
      }
      return ReceiveMessageResponse.builder().build();
    }

    @Override
    public String serviceName() {
      return "sqs";
    }

    @Override
    public void close() {}
  }

  @Test
  void aFailureIsKeptForHealthAndRetriedAndAStopEndsTheLongPollAtOnce() throws Exception {
    FlakySqs sqs = new FlakySqs();
    ReceiveJobEvents receiver =
        new ReceiveJobEvents(
            sqs,
            "https://sqs/q",
            at -> new Woken(Set.of(), Set.of()),
            JsonMapper.builder().build(),
            SettableClock.at(Instant.parse("2026-01-01T00:00:00Z")),
            Duration.ZERO);
    JobEventsLoop loop =
        new JobEventsLoop(receiver, Duration.ofSeconds(20), Duration.ofSeconds(60));

    loop.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> loop.lastError() != null);
    assertThat(loop.lastError()).isEqualTo("Access to the resource is denied.");
    await().atMost(Duration.ofSeconds(5)).until(() -> sqs.polling.getCount() == 0);
    assertThat(loop.lastError()).as("cleared once SQS answers").isNull();

    long before = System.nanoTime();
    loop.stop();

    assertThat(Duration.ofNanos(System.nanoTime() - before))
        .as("the 20 s long poll ended by the stop")
        .isLessThan(Duration.ofSeconds(3));
    assertThat(loop.isRunning()).isFalse();
    assertThat(sqs.calls.get()).isEqualTo(3);
  }
}
