package io.batchexecutor.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** What a remote service answered, taken as still true for a while: {@code getOrFind}. */
class RememberedTest {

  final SettableClock clock = SettableClock.at(Instant.parse("2026-06-01T00:00:00Z"));
  final Remembered<String> remembered = new Remembered<>(clock, Duration.ofSeconds(10), 100);
  final List<String> asked = new ArrayList<>();

  Supplier<Optional<String>> engine(String id) {
    return () -> {
      asked.add("python:3");
      return Optional.ofNullable(id);
    };
  }

  @Test
  void anAnswerFoundIsTakenWithoutAskingAgainUntilItExpires() {
    assertThat(remembered.getOrFind("python:3", engine("sha256:1"))).contains("sha256:1");
    assertThat(remembered.getOrFind("python:3", engine("sha256:2"))).contains("sha256:1");
    assertThat(asked).hasSize(1);

    clock.advance(Duration.ofSeconds(10));

    assertThat(remembered.getOrFind("python:3", engine("sha256:2"))).contains("sha256:2");
    assertThat(asked).hasSize(2);
  }

  @Test
  void whatWasNotFoundIsLookedForAgainEveryTime() {
    assertThat(remembered.getOrFind("python:3", engine(null))).isEmpty();
    assertThat(remembered.getOrFind("python:3", engine("sha256:1")))
        .as("there meanwhile: seen at once")
        .contains("sha256:1");
    assertThat(asked).hasSize(2);
  }

  @Test
  void anAnswerForgottenIsLookedForAgain() {
    remembered.getOrFind("python:3", engine("sha256:1"));

    remembered.forget("python:3");

    assertThat(remembered.getOrFind("python:3", engine(null))).isEmpty();
    assertThat(asked).hasSize(2);
  }
}
