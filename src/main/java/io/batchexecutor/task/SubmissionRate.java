package io.batchexecutor.task;

import io.batchexecutor.config.ClientLimits;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * How fast each client may submit on this instance: a token bucket per client, in memory, that
 * holds {@code submission-burst} tokens and gains {@code submissions-per-second} a second. Each
 * instance has its own buckets: with n instances behind a balancer a client may submit up to n
 * times as fast. Time comes from the service's clock.
 */
@Component
public class SubmissionRate {

  private static final class Bucket {
    double tokens;
    Instant at;

    Bucket(double tokens, Instant at) {
      this.tokens = tokens;
      this.at = at;
    }

    /** Adds what {@code perSecond} gave since the last look, up to {@code burst}. */
    void refill(double perSecond, int burst, Instant now) {
      if (now.isAfter(at)) {
        double seconds = Duration.between(at, now).toNanos() / 1e9;
        tokens = Math.min(burst, tokens + seconds * perSecond);
        at = now;
      }
      tokens = Math.min(tokens, burst); // a lowered burst holds at once
    }
  }

  private final ClientLimits limits;
  private final Clock clock;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  public SubmissionRate(ClientLimits limits, Clock clock) {
    this.limits = limits;
    this.clock = clock;
  }

  /**
   * Takes one token of {@code client}'s: empty when it did (or the client has no rate limit), else
   * how long until there is one (nothing is taken then).
   */
  public Optional<Duration> take(String client) {
    double perSecond = limits.submissionsPerSecond(client);
    if (perSecond <= 0) {
      return Optional.empty();
    }
    int burst = limits.submissionBurst(client);
    Instant now = clock.instant();
    Bucket bucket = buckets.computeIfAbsent(client, c -> new Bucket(burst, now));
    synchronized (bucket) {
      bucket.refill(perSecond, burst, now);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return Optional.empty();
      }
      long nanos = (long) Math.ceil((1 - bucket.tokens) / perSecond * 1e9);
      return Optional.of(Duration.ofNanos(Math.max(nanos, 1)));
    }
  }

  /** Gives back a token taken for a submission that turned out to be a replay. */
  public void giveBack(String client) {
    Bucket bucket = buckets.get(client);
    if (bucket != null) {
      synchronized (bucket) {
        bucket.tokens = Math.min(limits.submissionBurst(client), bucket.tokens + 1);
      }
    }
  }

  /** The tokens {@code client} has now on this instance; empty when it has no rate limit. */
  public Optional<Double> tokens(String client) {
    double perSecond = limits.submissionsPerSecond(client);
    if (perSecond <= 0) {
      return Optional.empty();
    }
    int burst = limits.submissionBurst(client);
    Bucket bucket = buckets.get(client);
    if (bucket == null) {
      return Optional.of((double) burst);
    }
    synchronized (bucket) {
      bucket.refill(perSecond, burst, clock.instant());
      return Optional.of(bucket.tokens);
    }
  }
}
