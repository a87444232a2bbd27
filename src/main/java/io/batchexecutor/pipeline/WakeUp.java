package io.batchexecutor.pipeline;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** A signal that there may be work: many wake-ups before a wait count as one. */
final class WakeUp {

  private final Semaphore signal = new Semaphore(0);

  void signal() {
    if (signal.availablePermits() == 0) {
      signal.release();
    }
  }

  /** Waits until signalled or {@code timeout} passes. */
  void await(Duration timeout) throws InterruptedException {
    if (signal.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      signal.drainPermits();
    }
  }
}
