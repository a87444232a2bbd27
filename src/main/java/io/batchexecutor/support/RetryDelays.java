package io.batchexecutor.support;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;

/**
 * The service's one back-off: the wait before try {@code n + 1} is {@code initial × 2^(n−1)},
 * capped at {@code max}, then spread uniformly over ±{@code jitter} of itself (20 % unless said
 * otherwise) so that many waiters do not come back in step; never under 1 ms. Retries within one
 * call go through Spring's {@link RetryTemplate} with these delays ({@link #retrying}); the
 * pipeline reschedules a task whose service did not answer after {@link #after} its tries.
 *
 * @param initial the wait after the first failed try
 * @param max the longest wait
 * @param jitter the spread, as a fraction of the wait (0 to 1)
 */
public record RetryDelays(Duration initial, Duration max, double jitter) {

  /** The spread of every back-off in the service: ±20 %. */
  public static final double JITTER = 0.2;

  public RetryDelays {
    if (initial.isNegative() || max.compareTo(initial) < 0 || jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException(
          "back-off from " + initial + " up to " + max + " with jitter " + jitter);
    }
  }

  /** Doubling from {@code initial} up to {@code max}, with the service's jitter. */
  public static RetryDelays doubling(Duration initial, Duration max) {
    return new RetryDelays(initial, max, JITTER);
  }

  /** The wait before try {@code tries + 1}, after {@code tries} failed tries. */
  public Duration after(int tries) {
    int doublings = Math.min(Math.max(tries - 1, 0), 30);
    double capped = Math.min((double) initial.toNanos() * (1L << doublings), max.toNanos());
    double spread = 1 - jitter + 2 * jitter * ThreadLocalRandom.current().nextDouble();
    return Duration.ofNanos(Math.max(1_000_000L, (long) (capped * spread)));
  }

  /** These delays as Spring's back-off, giving up after {@code retries} retries. */
  public BackOff backOff(int retries) {
    return () ->
        new BackOffExecution() {
          private int tries;

          @Override
          public long nextBackOff() {
            return ++tries > retries ? STOP : after(tries).toMillis();
          }
        };
  }

  /**
   * Spring's retry template that tries a call up to {@code tries} times in all while {@code
   * retryOn} says its failure is worth another try, waiting these delays in between.
   */
  public RetryTemplate retrying(int tries, Predicate<Throwable> retryOn) {
    return new RetryTemplate(
        RetryPolicy.builder().backOff(backOff(tries - 1)).predicate(retryOn).build());
  }
}
