package io.batchexecutor.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.storage.ObjectStore;
import io.batchexecutor.storage.ObjectStores;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Looking results up: in parallel, at most a few at once, and never past the deadline. */
class ResultLookupTest {

  /** A store of the {@code fake:} scheme: an object exists unless its path says "gone". */
  static class Store implements ObjectStore {
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger most = new AtomicInteger();
    final CountDownLatch release = new CountDownLatch(1);
    volatile boolean hang;

    @Override
    public OptionalLong size(URI pointer) {
      most.accumulateAndGet(running.incrementAndGet(), Math::max);
      try {
        if (pointer.getPath().contains("broken")) {
          throw new IllegalStateException("503 Slow Down");
        }
        if (hang) {
          release.await(30, TimeUnit.SECONDS);
        } else {
          Thread.sleep(20); // so that lookups overlap
        }
        return pointer.getPath().contains("gone") ? OptionalLong.empty() : OptionalLong.of(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return OptionalLong.of(1);
      } finally {
        running.decrementAndGet();
      }
    }

    @Override
    public URI put(String bucket, String key, byte[] data) {
      throw new UnsupportedOperationException();
    }

    @Override
    public URI locate(String bucket, String key) {
      return URI.create("fake://" + bucket + "/" + key);
    }

    @Override
    public Optional<byte[]> get(URI pointer) {
      return Optional.empty();
    }

    @Override
    public void deleteUnder(URI prefix) {}

    @Override
    public boolean handles(URI pointer) {
      return "fake".equals(pointer.getScheme());
    }
  }

  final Store store = new Store();
  final ResultLookup lookup = new ResultLookup(new ObjectStores(store, List.of(store)));

  @Test
  void findsTheGoneOnesLookingUpAtMostAFewAtOnce() {
    Map<String, String> pointers = new LinkedHashMap<>();
    for (int i = 0; i < 40; i++) {
      pointers.put("t" + i, "fake://b/" + (i % 7 == 0 ? "gone" : "kept") + i + "/result.json");
    }

    Set<String> missing = lookup.missing(pointers, 4, deadline(Duration.ofSeconds(20)));

    assertThat(missing).containsExactly("t0", "t7", "t14", "t21", "t28", "t35");
    assertThat(store.most.get()).as("at once").isBetween(2, 4);
  }

  @Test
  void aLookupThatFailsOrIsNotAnsweredByTheDeadlineCountsAsStored() {
    store.hang = true;
    Map<String, String> pointers = new LinkedHashMap<>();
    pointers.put("broken", "fake://b/broken/result.json");
    pointers.put("slow", "fake://b/gone/result.json");

    long start = System.nanoTime();
    Set<String> missing = lookup.missing(pointers, 2, deadline(Duration.ofMillis(300)));

    assertThat(missing).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    store.release.countDown();
  }

  @Test
  void aDeadlinePassedLooksNothingUp() {
    Set<String> missing =
        lookup.missing(Map.of("t", "fake://b/gone/result.json"), 2, deadline(Duration.ofNanos(-1)));

    assertThat(missing).isEmpty();
    assertThat(store.most.get()).isZero();
  }

  private static long deadline(Duration in) {
    return System.nanoTime() + in.toNanos();
  }
}
