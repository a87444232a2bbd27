package io.batchexecutor.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * What a remote service answered, taken as still true for a while: {@code getOrFind}, and {@code
 * getOrLoad}'s waits (one key's loads wait for each other, never for another key's).
 */
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

  @Test
  void aLoadNeverWaitsForTheLoadOfAnotherKey() throws Exception {
    CountDownLatch slow = new CountDownLatch(1);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      Future<String> held =
          threads.submit(
              () ->
                  remembered.getOrLoad(
                      "held",
                      () -> {
                        slow.await();
                        return "late";
                      }));
      // more keys than any fixed set of locks: some would share the held key's lock
      Future<List<String>> others =
          threads.submit(
              () -> {
                List<String> values = new ArrayList<>();
                for (int i = 0; i < 1_000; i++) {
                  String key = "image-" + i;
                  values.add(remembered.getOrLoad(key, () -> key.toUpperCase()));
                }
                return values;
              });
      assertThat(others.get(10, TimeUnit.SECONDS)).hasSize(1_000).contains("IMAGE-999");
      assertThat(held.isDone()).isFalse();
      slow.countDown();
      assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo("late");
    } finally {
      slow.countDown();
      threads.shutdownNow();
    }
  }

  @Test
  void loadsOfOneKeyWaitForEachOtherAndTheSecondTakesTheFirstsAnswer() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    AtomicInteger loads = new AtomicInteger();
    Remembered.Loader<String> push =
        () -> {
          loads.incrementAndGet();
          started.countDown();
          finish.await();
          return "pushed";
        };
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      Future<String> first = threads.submit(() -> remembered.getOrLoad("image", push));
      started.await();
      Future<String> second = threads.submit(() -> remembered.getOrLoad("image", push));
      Thread.sleep(200);
      assertThat(second.isDone()).as("waits for the first").isFalse();
      finish.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("pushed");
      assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("pushed");
      assertThat(loads).hasValue(1);
    } finally {
      finish.countDown();
      threads.shutdownNow();
    }
  }

  @Test
  void aLoadWaitingForOneThatFailedFindsOutForItself() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      Future<String> first =
          threads.submit(
              () ->
                  remembered.getOrLoad(
                      "image",
                      () -> {
                        started.countDown();
                        finish.await();
                        throw new IllegalStateException("the registry refused");
                      }));
      started.await();
      Future<String> second = threads.submit(() -> remembered.getOrLoad("image", () -> "again"));
      finish.countDown();
      assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("again");
      assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS))
          .hasRootCauseMessage("the registry refused");
    } finally {
      finish.countDown();
      threads.shutdownNow();
    }
  }
}
