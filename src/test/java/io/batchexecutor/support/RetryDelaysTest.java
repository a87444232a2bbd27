package io.batchexecutor.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.springframework.core.retry.RetryException;

class RetryDelaysTest {

  final RetryDelays delays = RetryDelays.doubling(Duration.ofMillis(200), Duration.ofSeconds(5));

  @RepeatedTest(20)
  void eachWaitDoublesUpToTheCapWithinTwentyPercent() {
    assertThat(delays.after(1)).isBetween(Duration.ofMillis(160), Duration.ofMillis(240));
    assertThat(delays.after(2)).isBetween(Duration.ofMillis(320), Duration.ofMillis(480));
    assertThat(delays.after(3)).isBetween(Duration.ofMillis(640), Duration.ofMillis(960));
    assertThat(delays.after(50)).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(6));
  }

  @Test
  void theWaitsAreSpreadNotAllTheSame() {
    assertThat(java.util.stream.IntStream.range(0, 50).mapToObj(i -> delays.after(4)).distinct())
        .hasSizeGreaterThan(10);
  }

  @Test
  void theTemplateTriesAsOftenAsSaidOnlyOnFailuresWorthIt() throws Exception {
    RetryDelays quick = RetryDelays.doubling(Duration.ofMillis(1), Duration.ofMillis(2));
    AtomicInteger tries = new AtomicInteger();
    assertThatThrownBy(
            () ->
                quick
                    .retrying(3, e -> e instanceof IllegalStateException)
                    .execute(
                        () -> {
                          tries.incrementAndGet();
                          throw new IllegalStateException("busy");
                        }))
        .isInstanceOf(RetryException.class)
        .hasCauseInstanceOf(IllegalStateException.class);
    assertThat(tries).hasValue(3);

    tries.set(0);
    assertThatThrownBy(
            () ->
                quick
                    .retrying(3, e -> e instanceof IllegalStateException)
                    .execute(
                        () -> {
                          tries.incrementAndGet();
                          throw new IllegalArgumentException("wrong");
                        }))
        .hasCauseInstanceOf(IllegalArgumentException.class);
    assertThat(tries).as("a failure not worth another try is tried once").hasValue(1);

    tries.set(0);
    String answer =
        quick
            .retrying(3, e -> true)
            .execute(
                () -> {
                  if (tries.incrementAndGet() < 3) {
                    throw new IllegalStateException("busy");
                  }
                  return "third time";
                });
    assertThat(answer).isEqualTo("third time");
  }
}
