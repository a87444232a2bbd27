package io.batchexecutor.api;

import static io.batchexecutor.support.TaskBuilder.aTask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchexecutor.config.ClientLimits;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskNotifications;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/** How many responses one instance follows at once. */
class LogFollowersTest {

  @Test
  void beyondTheLimitAFollowerIsTurnedAwayWithAProblemThatSaysWhy() {
    LogFollowers followers =
        new LogFollowers(
            null,
            null,
            new TaskNotifications(null),
            Clock.systemUTC(),
            new org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler(),
            limits(LogFollowers.MAX_FOLLOWERS));
    // from several clients, none at its own limit
    for (int i = 0; i < LogFollowers.MAX_FOLLOWERS; i++) {
      assertThat(followers.follow(aTask().owner("client-" + (i % 20)).build(), null)).isNotNull();
    }
    Task task = aTask().owner("client-0").build();

    assertThatThrownBy(() -> followers.follow(task, null))
        .isInstanceOfSatisfying(
            ProblemException.class,
            e -> {
              assertThat(e.getStatusCode().value()).isEqualTo(503);
              assertThat(e.getBody().getType().toString()).endsWith(":too-many-followers");
              assertThat(e.getHeaders().getFirst("Retry-After")).isEqualTo("10");
            });
  }

  @Test
  void aClientAtItsOwnLimitIsTurnedAwayWhileAnotherIsFollowed() {
    LogFollowers followers =
        new LogFollowers(
            null,
            null,
            new TaskNotifications(null),
            Clock.systemUTC(),
            new org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler(),
            limits(3));
    Task greedy = aTask().owner("greedy").build();
    for (int i = 0; i < 3; i++) {
      assertThat(followers.follow(greedy, null)).isNotNull();
    }

    assertThatThrownBy(() -> followers.follow(greedy, null))
        .isInstanceOfSatisfying(
            ProblemException.class,
            e -> {
              assertThat(e.getStatusCode().value()).isEqualTo(429);
              assertThat(e.getBody().getType().toString()).endsWith(":too-many-followers");
              assertThat(e.getBody().getDetail()).contains("max-follows");
            });
    assertThat(followers.follow(aTask().owner("modest").build(), null)).isNotNull();
  }

  private static ClientLimits limits(int follows) {
    return new ClientLimits() {
      @Override
      public int maxFollows(String client) {
        return follows;
      }

      @Override
      public int maxHeldWaits(String client) {
        return 100;
      }
    };
  }
}
