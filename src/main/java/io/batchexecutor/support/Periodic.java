package io.batchexecutor.support;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;

/**
 * A piece of periodic work on the service's scheduler while the service runs: first after {@code
 * initialDelay}, then {@code delay} after each run ends. Runs of one piece never overlap, also with
 * what {@link #runSoon} adds in between. Its times are the scheduler's own (real time): they are
 * waits, never compared with what the service stores, which is timed by the service's {@code
 * Clock}.
 */
public final class Periodic implements SmartLifecycle {

  private final TaskScheduler scheduler;
  private final String name;
  private final Runnable work;
  private final Duration initialDelay;
  private final Duration delay;
  private final ReentrantLock oneAtATime = new ReentrantLock();
  private ScheduledFuture<?> scheduled;

  public Periodic(
      TaskScheduler scheduler, String name, Runnable work, Duration initialDelay, Duration delay) {
    this.scheduler = scheduler;
    this.name = name;
    this.work = work;
    this.initialDelay = initialDelay;
    this.delay = delay;
  }

  @Override
  public synchronized void start() {
    scheduled =
        scheduler.scheduleWithFixedDelay(
            () -> alone(work), scheduler.getClock().instant().plus(initialDelay), delay);
  }

  /** Runs the work once more now, between its scheduled runs. */
  public void runSoon() {
    runSoon(work);
  }

  /** Runs {@code other} soon, never at the same time as the work. */
  public synchronized void runSoon(Runnable other) {
    if (scheduled != null) {
      try {
        scheduler.schedule(() -> alone(other), scheduler.getClock().instant());
      } catch (org.springframework.core.task.TaskRejectedException e) {
        // the scheduler is stopping
      }
    }
  }

  private void alone(Runnable run) {
    oneAtATime.lock();
    String before = Thread.currentThread().getName();
    try {
      Thread.currentThread().setName(name);
      run.run();
    } finally {
      Thread.currentThread().setName(before);
      oneAtATime.unlock();
    }
  }

  @Override
  public synchronized void stop() {
    if (scheduled != null) {
      scheduled.cancel(true);
      scheduled = null;
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return scheduled != null;
  }
}
