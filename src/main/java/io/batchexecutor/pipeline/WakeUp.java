package io.batchexecutor.pipeline;

import java.time.Duration;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A signal that there may be work: many wake-ups before a wait count as one. Besides a signal now,
 * it keeps the times at which work given back for later comes due ({@link #signalAfter}), so that a
 * waiting claim loop wakes then rather than at its next fallback poll.
 */
final class WakeUp {

  private final Semaphore signal = new Semaphore(0);
  private final ConcurrentSkipListSet<Long> due = new ConcurrentSkipListSet<>();

  void signal() {
    if (signal.availablePermits() == 0) {
      signal.release();
    }
  }

  /** A signal {@code delay} from now: a task given back until then comes due. */
  void signalAfter(Duration delay) {
    if (delay.isZero() || delay.isNegative()) {
      signal();
      return;
    }
    due.add(System.nanoTime() + delay.toNanos());
  }

  /** Waits until signalled, some work comes due, or {@code timeout} passes. */
  void await(Duration timeout) throws InterruptedException {
    long now = System.nanoTime();
    java.util.NavigableSet<Long> passed = due.headSet(now, true);
    if (!passed.isEmpty()) {
      // come due, perhaps after the caller's last look: it looks again at once
      passed.clear();
      return;
    }
    long wait = timeout.toNanos();
    Long next = due.isEmpty() ? null : due.first();
    if (next != null) {
      // a millisecond after it comes due, so that the claim sees it due
      wait = Math.min(wait, next - now + TimeUnit.MILLISECONDS.toNanos(1));
    }
    if (signal.tryAcquire(wait, TimeUnit.NANOSECONDS)) {
      signal.drainPermits();
    }
  }
}
