package io.batchexecutor.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class SettableClockTest {

  static final Instant T0 = Instant.parse("2026-12-01T00:00:00.123456789Z");

  @Test
  void aClockAtAnInstantStandsStillUntilItIsMovedAndKeepsMicroseconds() throws Exception {
    SettableClock clock = SettableClock.at(T0);

    Instant first = clock.instant();
    Thread.sleep(5); // a fixed wait: a clock that stands still shows the same time after it
    assertThat(clock.instant()).isEqualTo(first).isEqualTo("2026-12-01T00:00:00.123456Z");

    assertThat(clock.advance(Duration.ofMinutes(31))).isEqualTo("2026-12-01T00:31:00.123456Z");
    assertThat(clock.instant()).isEqualTo("2026-12-01T00:31:00.123456Z");
    assertThat(clock.ahead()).isEqualTo(Duration.ofMinutes(31));
    assertThat(clock.millis()).isEqualTo(clock.instant().toEpochMilli());
  }

  @Test
  void aRunningClockFollowsTheSystemsTimeFromAsFarAheadAsItWasMoved() {
    SettableClock clock = SettableClock.running();

    Instant before = Instant.now();
    Instant shown = clock.instant();
    assertThat(shown).isBetween(before.minusMillis(1), Instant.now().plusMillis(1));

    clock.advance(Duration.ofHours(2));
    Instant from = Instant.now().plus(Duration.ofHours(2)).minusMillis(1);
    Instant moved = clock.instant();
    assertThat(moved).isBetween(from, Instant.now().plus(Duration.ofHours(2)).plusMillis(1));
    assertThat(clock.instant()).isAfterOrEqualTo(moved);
  }

  @Test
  void itOnlyMovesForward() {
    SettableClock clock = SettableClock.at(T0);

    assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only moves forward");
    assertThat(clock.ahead()).isZero();
    assertThat(clock.withZone(ZoneId.of("Europe/Paris"))).isSameAs(clock);
  }
}
