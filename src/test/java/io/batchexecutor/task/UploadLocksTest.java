package io.batchexecutor.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A client's turns: one at a time for the client, others meanwhile, at most two of its calls in or
 * waiting for its turn, nothing kept after.
 */
class UploadLocksTest {

  private final UploadLocks locks = new UploadLocks(null, null, 2);

  @Test
  void aClientsWorkWaitsForItsTurnWhileAnotherClientsRunsAndNoEntryIsKept() throws Exception {
    CountDownLatch inFirst = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<String> first =
        CompletableFuture.supplyAsync(
            () ->
                locks.inTurn(
                    "a",
                    () -> {
                      inFirst.countDown();
                      awaitLatch(release);
                      return "first";
                    }));
    assertThat(inFirst.await(5, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> second = new CompletableFuture<>();
    Thread next =
        new Thread(
            () -> {
              try {
                second.complete(locks.inTurn("a", () -> "second"));
              } catch (RuntimeException e) {
                second.completeExceptionally(e);
              }
            });
    next.start();
    await("the same client's next work waiting for its turn")
        .atMost(Duration.ofSeconds(5))
        .until(() -> next.getState() == Thread.State.WAITING);

    assertThat(locks.inTurn("b", () -> "other")).as("another client's turn").isEqualTo("other");
    assertThat(second).isNotDone();
    assertThat(locks.clients()).isEqualTo(1);
    assertThat(locks.inFlight("a")).as("one in its turn, one waiting").isEqualTo(2);
    assertThat(locks.inFlight("b")).isZero();
    assertThatThrownBy(() -> locks.inTurn("a", () -> "third"))
        .as("a third call of the client's, refused at once")
        .isInstanceOfSatisfying(
            SubmissionRefusedException.class,
            e -> {
              assertThat(e.status()).isEqualTo(429);
              assertThat(e.kind()).isEqualTo(SubmissionRefusedException.TOO_MANY_UPLOADS);
              assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(1));
            });

    release.countDown();
    assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("first");
    assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("second");
    assertThat(locks.clients()).as("no entry kept for a client without work").isZero();
    assertThat(locks.inTurn("a", () -> "later"))
        .as("let in again once answered")
        .isEqualTo("later");
    assertThat(locks.inFlight("a")).isZero();
  }

  @Test
  void aTurnThatThrowsIsGivenBack() {
    assertThatThrownBy(
            () ->
                locks.inTurn(
                    "a",
                    () -> {
                      throw new IllegalStateException("failed");
                    }))
        .hasMessage("failed");
    assertThat(locks.clients()).isZero();
    assertThat(locks.inTurn("a", () -> "next")).isEqualTo("next");
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
