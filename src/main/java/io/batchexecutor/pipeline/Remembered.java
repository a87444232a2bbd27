package io.batchexecutor.pipeline;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this instance learnt from a remote service and may take as still true for a while (an image
 * is in a repository, a job definition revision exists), so the hot path does not ask again on
 * every task. Each answer is forgotten after {@code keepFor}: a lifecycle rule or a person may have
 * removed the thing since. At most {@code capacity} answers are kept; past that the oldest go.
 */
public final class Remembered<V> {

  private record Entry<V>(V value, Instant until) {}

  private final Map<String, Entry<V>> entries = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration keepFor;
  private final int capacity;

  public Remembered(Clock clock, Duration keepFor, int capacity) {
    this.clock = clock;
    this.keepFor = keepFor;
    this.capacity = capacity;
  }

  public Optional<V> get(String key) {
    Entry<V> entry = entries.get(key);
    if (entry == null) {
      return Optional.empty();
    }
    if (!clock.instant().isBefore(entry.until())) {
      entries.remove(key, entry);
      return Optional.empty();
    }
    return Optional.of(entry.value());
  }

  public void put(String key, V value) {
    if (entries.size() >= capacity) {
      Instant now = clock.instant();
      entries.values().removeIf(e -> !now.isBefore(e.until()));
      if (entries.size() >= capacity) {
        entries.clear(); // all still fresh: start over rather than grow
      }
    }
    entries.put(key, new Entry<>(value, clock.instant().plus(keepFor)));
  }
}
