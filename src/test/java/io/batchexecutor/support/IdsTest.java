package io.batchexecutor.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdsTest {

  @Test
  void anIdIsAVersion7UuidCarryingTheMillisecondsOfItsMaking() {
    Instant at = Instant.parse("2026-12-01T12:34:56.789Z");
    UUID id = Ids.next(Clock.fixed(at, ZoneOffset.UTC));

    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(at.toEpochMilli());
    assertThat(UUID.fromString(id.toString())).isEqualTo(id);
    // the service's clock ticks in microseconds, which Clock.millis() cannot take on Java 17
    assertThat(Ids.next(Clock.tick(Clock.systemUTC(), java.time.Duration.ofNanos(1000))).version())
        .isEqualTo(7);
  }

  @Test
  void idsOfOneMillisecondDifferAndLaterOnesSortAfter() {
    Clock clock = Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);
    Set<UUID> made = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      made.add(Ids.next(clock));
    }
    assertThat(made).hasSize(10_000);

    UUID later = Ids.next(Clock.offset(clock, java.time.Duration.ofMillis(1)));
    // PostgreSQL orders uuids by their bytes, as unsigned; compare the time bits the same way
    assertThat(made)
        .allSatisfy(
            id ->
                assertThat(
                        Long.compareUnsigned(
                            id.getMostSignificantBits(), later.getMostSignificantBits()))
                    .isNegative());
  }
}
