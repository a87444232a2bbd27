package io.batchexecutor.api;

import static io.batchexecutor.support.TaskBuilder.aTask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
            new org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler());
    Task task = aTask().build();
    for (int i = 0; i < LogFollowers.MAX_FOLLOWERS; i++) {
      assertThat(followers.follow(task, null)).isNotNull();
    }

    assertThatThrownBy(() -> followers.follow(task, null))
        .isInstanceOfSatisfying(
            ProblemException.class,
            e -> {
              assertThat(e.getStatusCode().value()).isEqualTo(503);
              assertThat(e.getBody().getType().toString()).endsWith(":too-many-followers");
              assertThat(e.getHeaders().getFirst("Retry-After")).isEqualTo("10");
            });
  }
}
