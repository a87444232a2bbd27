package io.batchexecutor.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * A clock a test moves instead of waiting (db-scheduler's {@code testhelper/SettableClock}). It
 * comes in two kinds: {@link #at} stands still at an instant until the test moves it, for code the
 * test calls itself; {@link #running} follows the system's time from as far ahead as the test has
 * moved it, for a running service whose threads expect time to pass. Like the service's own clock
 * it ticks in microseconds, what PostgreSQL keeps.
 *
 * <p>It only moves forward, like the time it stands for: a service context that several test
 * classes share keeps the time one of them moved it to, and nothing the service wrote under the
 * earlier time ever lies in its future. The service's threads still wait in real time (its
 * scheduler's periods, the claim loop's fallback poll): moving the clock makes work due, and a test
 * that wants it picked up at once makes the claim loop look often ({@code
 * batch-executor.pipeline.poll-interval}). What other systems timestamp themselves (Docker's start
 * of a container, a Batch job's times) does not move with it.
 */
public final class SettableClock extends Clock {

  private final Clock base;
  private final AtomicReference<Duration> ahead = new AtomicReference<>(Duration.ZERO);

  private SettableClock(Clock base) {
    this.base = base;
  }

  /** A clock that stands at {@code instant} (cut to microseconds) until it is moved. */
  public static SettableClock at(Instant instant) {
    return new SettableClock(Clock.fixed(instant, ZoneOffset.UTC));
  }

  /** A clock that runs with the system's time, from as far ahead as it has been moved. */
  public static SettableClock running() {
    return new SettableClock(Clock.systemUTC());
  }

  /** Moves the clock {@code by} forward; returns the time it shows then. */
  public Instant advance(Duration by) {
    Objects.requireNonNull(by, "by");
    if (by.isNegative()) {
      throw new IllegalArgumentException("a settable clock only moves forward, not by " + by);
    }
    ahead.accumulateAndGet(by, Duration::plus);
    return instant();
  }

  /**
   * How far ahead of its base (the system's time, or the instant it stood at) it has been moved.
   */
  public Duration ahead() {
    return ahead.get();
  }

  @Override
  public Instant instant() {
    return base.instant().plus(ahead.get()).truncatedTo(ChronoUnit.MICROS);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  /** The same clock: the service works in UTC instants only. */
  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }

  @Override
  public String toString() {
    return "SettableClock[" + base + " + " + ahead.get() + "]";
  }

  /**
   * Makes a {@link #running} settable clock the {@code Clock} of a service test context, ahead of
   * the service's own clock bean; a test moves it by autowiring {@link SettableClock}. Every {@link
   * ServiceTest} context has it, so that using it adds no context of its own.
   */
  @TestConfiguration(proxyBeanMethods = false)
  public static class InContext {

    @Bean
    @Primary
    SettableClock settableClock() {
      return running();
    }
  }
}
