package io.batchexecutor.pipeline;

import static io.batchexecutor.support.TaskBuilder.aTask;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskError;
import io.batchexecutor.task.TaskQueries;
import io.batchexecutor.task.TaskRepository;
import io.batchexecutor.task.WatchedTasks;
import io.batchexecutor.task.WorkQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The heartbeat against the real database: who keeps working, who is told to stop. */
@ServiceTest
class RenewLeasesTest {

  static final WatchedTasks NO_WATCH = WatchedTasks.none("local");
  static final List<String> BACKENDS = List.of("none");

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Autowired TaskRepository tasks;
  @Autowired WorkQueue queue;
  @Autowired TaskQueries queries;

  @Test
  void aTaskWhoseLeaseWentElsewhereStopsOneThatJustEndedDoesNot() {
    Task kept = aTask().acceptedAt(T0).build();
    Task lost = aTask().acceptedAt(T0).build();
    Task ended = aTask().acceptedAt(T0).build();
    for (Task t : new Task[] {kept, lost, ended}) {
      tasks.insert(t, null, null);
      queue.claimDue("me", BACKENDS, 1, T0, T0.plusSeconds(60), NO_WATCH);
    }
    // 'lost' was reaped after a pause and claimed by another instance; 'ended' just failed here
    queue.renewLeases("me", java.util.List.of(kept.id(), ended.id()), T0.plusSeconds(120));
    queue.reapExpiredLeases(T0.plusSeconds(61));
    queue.claimDue("other", BACKENDS, 1, T0.plusSeconds(61), T0.plusSeconds(121), NO_WATCH);
    Task ending = tasks.find(ended.id()).orElseThrow();
    ending.fail("broken", new TaskError("X", "broken", null), 1, null, T0.plusSeconds(62));
    assertThat(tasks.update(ending)).isTrue();
    InFlightTasks inFlight = new InFlightTasks();
    inFlight.add(kept.id());
    inFlight.add(lost.id());
    inFlight.add(ended.id()); // its worker has not yet taken it off the list

    new RenewLeases(
            queue,
            queries,
            inFlight,
            Clock.fixed(T0.plusSeconds(63), ZoneOffset.UTC),
            Duration.ofSeconds(60),
            "me")
        .run();

    assertThat(inFlight.stopRequested(lost.id())).as("another instance has it").isTrue();
    assertThat(inFlight.stopRequested(kept.id())).isFalse();
    assertThat(inFlight.stopRequested(ended.id())).as("it ended; nothing was lost").isFalse();
  }
}
