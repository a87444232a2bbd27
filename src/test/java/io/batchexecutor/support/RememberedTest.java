package io.batchexecutor.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
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
  final Map<CompletableFuture<String>, Thread> threads = new ConcurrentHashMap<>();

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
    HeldLoad slow = new HeldLoad();
    CompletableFuture<String> held = load("held", slow.then(() -> "late"));
    try {
      slow.awaitStarted();
      // more keys than any fixed set of locks: some would share the held key's lock
      CompletableFuture<List<String>> others =
          CompletableFuture.supplyAsync(
              () -> {
                List<String> values = new ArrayList<>();
                for (int i = 0; i < 1_000; i++) {
                  String key = "image-" + i;
                  try {
                    values.add(remembered.getOrLoad(key, () -> key.toUpperCase()));
                  } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                  }
                }
                return values;
              });
      assertThat(others.get(10, TimeUnit.SECONDS)).hasSize(1_000).contains("IMAGE-999");
      assertThat(held).isNotDone();
      slow.release();
      assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo("late");
    } finally {
      slow.release();
    }
  }

  @Test
  void loadsOfOneKeyWaitForEachOtherAndTheSecondTakesTheFirstsAnswer() throws Exception {
    HeldLoad push = new HeldLoad();
    CompletableFuture<String> first = load("image", push.then(() -> "pushed"));
    try {
      push.awaitStarted();
      CompletableFuture<String> second = load("image", push.then(() -> "pushed again"));
      awaitWaiting(second);
      push.release();
      assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("pushed");
      assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("pushed");
      assertThat(push.loads).hasValue(1);
    } finally {
      push.release();
    }
  }

  @Test
  void aLoadWaitingForOneThatFailedFindsOutForItself() throws Exception {
    HeldLoad refused = new HeldLoad();
    CompletableFuture<String> first =
        load(
            "image",
            refused.then(
                () -> {
                  throw new IllegalStateException("the registry refused");
                }));
    try {
      refused.awaitStarted();
      CompletableFuture<String> second = load("image", () -> "again");
      awaitWaiting(second);
      refused.release();
      assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("again");
      assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS))
          .hasRootCauseMessage("the registry refused");
    } finally {
      refused.release();
    }
  }

  @Test
  void aLoadWaitingIsInterruptedAndTheOneItWaitedForGoesOn() throws Exception {
    HeldLoad push = new HeldLoad();
    CompletableFuture<String> first = load("image", push.then(() -> "pushed"));
    try {
      push.awaitStarted();
      CompletableFuture<String> second = load("image", () -> "never");
      awaitWaiting(second);
      threads.get(second).interrupt();
      assertThatThrownBy(() -> second.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(InterruptedException.class);
      push.release();
      assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("pushed");
      assertThat(remembered.get("image")).contains("pushed");
    } finally {
      push.release();
    }
  }

  @Test
  void aLoaderThatAsksForItsOwnKeyIsRefused() {
    assertThatThrownBy(
            () -> remembered.getOrLoad("image", () -> remembered.getOrLoad("image", () -> "x")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("image");
    assertThat(remembered.get("image")).isEmpty();
  }

  /** Loads held under way, once started, until released; counted. */
  private static final class HeldLoad {
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch released = new CountDownLatch(1);
    final AtomicInteger loads = new AtomicInteger();

    /** A loader that is counted, says it started, waits for the release, then does {@code then}. */
    Remembered.Loader<String> then(Remembered.Loader<String> then) {
      return () -> {
        loads.incrementAndGet();
        started.countDown();
        released.await();
        return then.load();
      };
    }

    void awaitStarted() throws InterruptedException {
      assertThat(started.await(10, TimeUnit.SECONDS)).as("a load under way").isTrue();
    }

    void release() {
      released.countDown();
    }
  }

  /** {@code getOrLoad} on a thread of its own. */
  private CompletableFuture<String> load(String key, Remembered.Loader<String> loader) {
    CompletableFuture<String> answer = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                answer.complete(remembered.getOrLoad(key, loader));
              } catch (InterruptedException | RuntimeException e) {
                answer.completeExceptionally(e);
              }
            });
    threads.put(answer, thread);
    thread.start();
    return answer;
  }

  /** Waits until the thread of {@code load} is parked, waiting for another load of its key. */
  private void awaitWaiting(CompletableFuture<String> load) {
    Thread thread = threads.get(load);
    await("the load waiting for the one under way")
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> thread.getState() == Thread.State.WAITING);
  }
}
