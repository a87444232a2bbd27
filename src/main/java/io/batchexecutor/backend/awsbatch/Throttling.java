package io.batchexecutor.backend.awsbatch;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * How calls to AWS respect its limits: a client-side rate limit shared by every worker of this
 * instance (SubmitJob is capped at 50 calls/s per account and region), and exponential back-off
 * with full jitter when AWS answers that it is throttling.
 */
public class Throttling {

  /** Waits; tests replace it to move time instead of sleeping. */
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  private final double permitsPerSecond;
  private final int maxAttempts;
  private final Duration baseDelay;
  private final Duration maxDelay;
  private final Sleeper sleeper;
  private long nextFreeNanos;

  public Throttling(
      double permitsPerSecond,
      int maxAttempts,
      Duration baseDelay,
      Duration maxDelay,
      Sleeper sleeper) {
    this.permitsPerSecond = permitsPerSecond;
    this.maxAttempts = maxAttempts;
    this.baseDelay = baseDelay;
    this.maxDelay = maxDelay;
    this.sleeper = sleeper;
  }

  /** The defaults: 40 calls/s, 8 attempts, 200 ms doubling up to 20 s. */
  public static Throttling standard() {
    return new Throttling(
        40, 8, Duration.ofMillis(200), Duration.ofSeconds(20), d -> Thread.sleep(d.toMillis()));
  }

  /** Runs {@code call} within the rate limit, backing off and retrying while AWS throttles. */
  public <T> T call(Supplier<T> call) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      acquire();
      try {
        return call.get();
      } catch (AwsServiceException e) {
        if (!throttled(e) || attempt >= maxAttempts) {
          throw e;
        }
        sleeper.sleep(backoff(attempt));
      }
    }
  }

  static boolean throttled(AwsServiceException e) {
    return e.isThrottlingException() || e.statusCode() == 429;
  }

  Duration backoff(int attempt) {
    long cap = Math.min(maxDelay.toMillis(), baseDelay.toMillis() << Math.min(attempt - 1, 20));
    return Duration.ofMillis(ThreadLocalRandom.current().nextLong(cap / 2, cap + 1));
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
