package io.batchexecutor.backend.awsbatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * A health check that costs AWS calls, answered from its last result for a while: a load balancer
 * or orchestrator asking every few seconds must not turn into a stream of AWS requests (nor into
 * throttling of the pipeline's own calls). Concurrent requests wait for one check.
 */
final class CachedHealth implements HealthIndicator {

  private final Supplier<Health> check;
  private final Duration timeToLive;
  private final Clock clock;
  private Health last;
  private Instant checkedAt;

  CachedHealth(Supplier<Health> check, Duration timeToLive, Clock clock) {
    this.check = check;
    this.timeToLive = timeToLive;
    this.clock = clock;
  }

  @Override
  public synchronized Health health() {
    Instant now = clock.instant();
    if (last == null || !now.isBefore(checkedAt.plus(timeToLive))) {
      last = check.get();
      checkedAt = now;
    }
    return last;
  }
}
