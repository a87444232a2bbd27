package io.batchexecutor.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What this instance learnt from a remote service and may take as still true for a while (an image
 * is in a repository, a job definition revision exists), so the hot path does not ask again on
 * every task. Each answer is forgotten {@code keepFor} after it was learnt (using it does not make
 * it younger): a lifecycle rule or a person may have removed the thing since. Finding an answer out
 * ({@link #getOrLoad}) waits for another instance thread finding out the same one, so that, say,
 * one image is pushed once however many tasks need it at the same moment; it never waits for the
 * finding out of another key (a slow push holds up no other image's). At most {@code capacity}
 * answers are kept; past that the stale ones go, and if none is stale, all.
 */
public final class Remembered<V> {

  /** How a missing answer is found out; it may create what it looks for (a push, a revision). */
  @FunctionalInterface
  public interface Loader<V> {
    V load() throws InterruptedException;
  }

  private record Entry<V>(V value, Instant until) {}

  private final Map<String, Entry<V>> entries = new ConcurrentHashMap<>();

  /** The keys being found out now, each with the lock its finder holds until it is done. */
  private final Map<String, ReentrantLock> loading = new ConcurrentHashMap<>();

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

  /**
   * The answer for {@code key}: remembered, or found out by {@code loader} and remembered. Loads of
   * one key wait for each other, loads of different keys never do; an answer already remembered
   * never waits. A loader that throws leaves nothing remembered, and a load waiting for it then
   * finds out for itself. A loader must not ask for its own key (that would wait for itself
   * forever): it is refused with an {@link IllegalStateException}.
   */
  public V getOrLoad(String key, Loader<V> loader) throws InterruptedException {
    while (true) {
      Optional<V> known = get(key);
      if (known.isPresent()) {
        return known.get();
      }
      ReentrantLock mine = new ReentrantLock();
      mine.lock();
      ReentrantLock other = loading.putIfAbsent(key, mine);
      if (other == null) {
        try {
          known = get(key); // found out by a load that ended just before this one began
          if (known.isPresent()) {
            return known.get();
          }
          V value = loader.load();
          put(key, value);
          return value;
        } finally {
          loading.remove(key, mine);
          mine.unlock();
        }
      }
      mine.unlock();
      if (other.isHeldByCurrentThread()) {
        throw new IllegalStateException("a load of " + key + " asked for itself");
      }
      other.lockInterruptibly(); // held by the other load until it has ended, either way
      other.unlock();
    }
  }

  /**
   * The answer for {@code key}: remembered, or what {@code finder} finds now, remembered only when
   * it found one (what is not there yet is looked for again every time). Finds of one key do not
   * wait for each other: for answers cheap to find again, and that create nothing.
   */
  public Optional<V> getOrFind(String key, java.util.function.Supplier<Optional<V>> finder) {
    Optional<V> known = get(key);
    if (known.isPresent()) {
      return known;
    }
    Optional<V> found = finder.get();
    found.ifPresentOrElse(value -> put(key, value), () -> entries.remove(key));
    return found;
  }

  /** Forgets the answer for {@code key}: the next look finds it out again. */
  public void forget(String key) {
    entries.remove(key);
  }

  /** Forgets every key that answers {@code value}. */
  public void forgetValue(V value) {
    entries.values().removeIf(e -> e.value().equals(value));
  }

  /** The answers remembered and not expired. */
  public java.util.Set<V> values() {
    Instant now = clock.instant();
    java.util.Set<V> values = new java.util.HashSet<>();
    entries.values().stream()
        .filter(e -> now.isBefore(e.until()))
        .forEach(e -> values.add(e.value()));
    return values;
  }

  private void put(String key, V value) {
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
