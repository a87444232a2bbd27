package io.batchexecutor.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A claim loop waiting for work wakes when a task given back for later comes due, not at its long
 * fallback poll; and a due time that passed while it was not waiting sends it to look at once.
 */
class WakeUpTest {

  static final Duration FALLBACK = Duration.ofSeconds(30);

  @Test
  void aWaitEndsWhenWorkGivenBackForLaterComesDue() throws InterruptedException {
    WakeUp wakeUp = new WakeUp();
    wakeUp.signalAfter(Duration.ofMillis(200));

    long started = System.nanoTime();
    wakeUp.await(FALLBACK);

    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isGreaterThanOrEqualTo(Duration.ofMillis(150))
        .isLessThan(FALLBACK.dividedBy(2));
  }

  @Test
  void aDueTimeThatPassedBeforeTheWaitEndsItAtOnce() throws InterruptedException {
    WakeUp wakeUp = new WakeUp();
    wakeUp.signalAfter(Duration.ofMillis(1));
    Thread.sleep(20); // a fixed wait: the due time passes while the loop is busy claiming

    long started = System.nanoTime();
    wakeUp.await(FALLBACK);

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(FALLBACK.dividedBy(2));
  }
}
