package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.support.RetryDelays;
import java.time.Duration;
import java.util.function.Supplier;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryTemplate;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * How calls to AWS respect its limits: a client-side rate limit shared by every worker of this
 * instance (SubmitJob is capped at 50 calls/s per account and region), and, when AWS answers that
 * it is throttling, tries again after the service's back-off ({@link RetryDelays}: doubling,
 * capped, ±20 % jitter).
 */
public class Throttling {

  /** Waits for the rate limit; tests replace it to move time instead of sleeping. */
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  private final double permitsPerSecond;
  private final RetryTemplate retrying;
  private final Sleeper sleeper;
  private long nextFreeNanos;

  public Throttling(
      double permitsPerSecond,
      int maxAttempts,
      Duration baseDelay,
      Duration maxDelay,
      Sleeper sleeper) {
    this.permitsPerSecond = permitsPerSecond;
    this.retrying =
        RetryDelays.doubling(baseDelay, maxDelay)
            .retrying(maxAttempts, e -> e instanceof AwsServiceException aws && throttled(aws));
    this.sleeper = sleeper;
  }

  /** The defaults: 40 calls/s, 8 attempts, 200 ms doubling up to 20 s. */
  public static Throttling standard() {
    return new Throttling(
        40, 8, Duration.ofMillis(200), Duration.ofSeconds(20), d -> Thread.sleep(d.toMillis()));
  }

  /** Runs {@code call} within the rate limit, backing off and trying again while AWS throttles. */
  public <T> T call(Supplier<T> call) throws InterruptedException {
    try {
      return retrying.execute(
          () -> {
            acquire();
            return call.get();
          });
    } catch (RetryException e) {
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while backing off from AWS throttling");
      }
      if (e.getCause() instanceof RuntimeException failure) {
        throw failure;
      }
      if (e.getCause() instanceof InterruptedException interrupted) {
        throw interrupted;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  static boolean throttled(AwsServiceException e) {
    return e.isThrottlingException() || e.statusCode() == 429;
  }

  private void acquire() throws InterruptedException {
    long wait;
    synchronized (this) {
      long now = System.nanoTime();
      long interval = (long) (1_000_000_000L / permitsPerSecond);
      long start = Math.max(now, nextFreeNanos);
      nextFreeNanos = start + interval;
      wait = start - now;
    }
    if (wait > 0) {
      sleeper.sleep(Duration.ofNanos(wait));
    }
  }
}
