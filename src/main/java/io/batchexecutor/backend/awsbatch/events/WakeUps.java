package io.batchexecutor.backend.awsbatch.events;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * When an event may make its job's task due: at once, unless an event woke the same job less than
 * {@code minInterval} ago; then at the end of that interval, so that a flood of events about one
 * job (or forged ones) makes at most one poll of it per interval. Remembers the last {@value
 * #REMEMBERED} jobs woken; an older one counts as not woken lately.
 */
final class WakeUps {

  static final int REMEMBERED = 10_000;

  private final Duration minInterval;
  private final Map<String, Instant> last =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Instant> eldest) {
          return size() > REMEMBERED;
        }
      };

  WakeUps(Duration minInterval) {
    this.minInterval = minInterval;
  }

  /** When job {@code jobId}'s task is to be due, an event about it coming in at {@code now}. */
  synchronized Instant at(String jobId, Instant now) {
    Instant previous = last.get(jobId);
    Instant at = now;
    if (previous != null && previous.plus(minInterval).isAfter(now)) {
      at = previous.plus(minInterval);
      if (!previous.isBefore(now)) {
        // already woken for a time still to come: that poll will see this change too
        return previous;
      }
    }
    last.put(jobId, at);
    return at;
  }
}
