package io.batchexecutor.support;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.context.SmartLifecycle;

/**
 * Runs a piece of housekeeping on a daemon thread of its own while the service runs: first after
 * {@code initialDelay}, then {@code delay} after each run ends.
 */
public final class Periodic implements SmartLifecycle {

  private final String threadName;
  private final Runnable work;
  private final Duration initialDelay;
  private final Duration delay;
  private ScheduledExecutorService timer;

  public Periodic(String threadName, Runnable work, Duration initialDelay, Duration delay) {
    this.threadName = threadName;
    this.work = work;
    this.initialDelay = initialDelay;
    this.delay = delay;
  }

  @Override
  public synchronized void start() {
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(
        work, initialDelay.toMillis(), delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Runs the work once more now, on the same thread, between its scheduled runs. */
  public void runSoon() {
    runSoon(work);
  }

  /** Runs {@code other} on the same thread, soon: never at the same time as the work. */
  public synchronized void runSoon(Runnable other) {
    if (timer != null) {
      try {
        timer.execute(other);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // stopping
      }
    }
  }

  @Override
  public synchronized void stop() {
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return timer != null;
  }
}
