package io.batchexecutor.task;

import static io.batchexecutor.support.TaskBuilder.aTask;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.ServiceTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Claiming, leases and version checks against the real PostgreSQL, with explicit instants. */
@ServiceTest
class TaskRepositoryTest {

  @Autowired TaskRepository tasks;
  @Autowired JdbcClient jdbc;

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @BeforeEach
  void empty() {
    jdbc.sql("DELETE FROM task").update();
  }

  @Test
  void twoWorkersClaimingAtOnceNeverGetTheSameTask() throws Exception {
    int count = 200;
    for (int i = 0; i < count; i++) {
      tasks.insert(aTask().acceptedAt(T0).build(), null, null);
    }
    int workers = 4;
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<UUID>>> claims = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      String owner = "worker-" + w;
      Callable<List<UUID>> claimer =
          () -> {
            start.await();
            List<UUID> mine = new ArrayList<>();
            List<Task> batch;
            do {
              batch = tasks.claimDue(owner, 7, T0.plusSeconds(1), T0.plusSeconds(60));
              batch.forEach(t -> mine.add(t.id()));
            } while (!batch.isEmpty());
            return mine;
          };
      claims.add(pool.submit(claimer));
    }
    start.countDown();
    List<UUID> all = new ArrayList<>();
    for (Future<List<UUID>> f : claims) {
      all.addAll(f.get());
    }
    pool.shutdown();

    assertThat(all).hasSize(count);
    assertThat(new HashSet<>(all)).hasSize(count);
    assertThat(
            jdbc.sql("SELECT count(*) FROM task_event WHERE kind = 'CLAIMED'")
                .query(Long.class)
                .single())
        .as("every claim is in the history, once")
        .isEqualTo(count);
    assertThat(
            jdbc.sql("SELECT count(*) FROM task WHERE lease_owner IS NULL")
                .query(Long.class)
                .single())
        .isZero();
  }

  @Test
  void aClaimedTaskIsNotClaimedAgainWhileItsLeaseHolds() {
    Task task = aTask().acceptedAt(T0).build();
    tasks.insert(task, null, null);

    assertThat(tasks.claimDue("a", 10, T0.plusSeconds(1), T0.plusSeconds(60))).hasSize(1);
    assertThat(tasks.claimDue("b", 10, T0.plusSeconds(2), T0.plusSeconds(62))).isEmpty();
  }

  @Test
  void anExpiredLeaseIsReapedAndTheTaskClaimedAgain() {
    Task task = aTask().acceptedAt(T0).build();
    tasks.insert(task, null, null);
    tasks.claimDue("dead-instance", 10, T0, T0.plusSeconds(60));

    assertThat(tasks.reapExpiredLeases(T0.plusSeconds(59))).isEmpty();
    List<TaskRepository.Reaped> reaped = tasks.reapExpiredLeases(T0.plusSeconds(61));

    assertThat(reaped).extracting(TaskRepository.Reaped::id).containsExactly(task.id());
    assertThat(reaped.get(0).previousOwner()).isEqualTo("dead-instance");
    List<Task> again = tasks.claimDue("live-instance", 10, T0.plusSeconds(61), T0.plusSeconds(121));
    assertThat(again).extracting(Task::id).containsExactly(task.id());
    assertThat(tasks.events(task.id()))
        .extracting(TaskEvent::kind)
        .containsExactly(TaskEvent.STATUS, "CLAIMED", "LEASE_EXPIRED", "CLAIMED");
  }

  @Test
  void renewedLeasesDoNotExpire() {
    Task task = aTask().acceptedAt(T0).build();
    tasks.insert(task, null, null);
    tasks.claimDue("a", 10, T0, T0.plusSeconds(60));

    assertThat(tasks.renewLeases("a", Set.of(task.id()), T0.plusSeconds(120)))
        .containsExactly(task.id());
    assertThat(tasks.reapExpiredLeases(T0.plusSeconds(90))).isEmpty();
    assertThat(tasks.renewLeases("b", Set.of(task.id()), T0.plusSeconds(200))).isEmpty();
  }

  @Test
  void aStaleWriteIsRefusedAndWritesNothing() {
    Task task = aTask().acceptedAt(T0).build();
    tasks.insert(task, null, null);
    Task first = tasks.find(task.id()).orElseThrow();
    Task second = tasks.find(task.id()).orElseThrow();

    first.startBuilding(T0.plusSeconds(1));
    second.cancel("raced", T0.plusSeconds(1));

    assertThat(tasks.update(first)).isTrue();
    assertThat(tasks.update(second)).isFalse();
    Task stored = tasks.find(task.id()).orElseThrow();
    assertThat(stored.status()).isEqualTo(TaskStatus.BUILDING);
    assertThat(tasks.events(task.id()))
        .extracting(TaskEvent::toStatus)
        .containsExactly(TaskStatus.QUEUED, TaskStatus.BUILDING);
  }

  @Test
  void aClaimMakesEarlierReadsStale() {
    Task task = aTask().acceptedAt(T0).build();
    tasks.insert(task, null, null);
    Task readBeforeClaim = tasks.find(task.id()).orElseThrow();
    tasks.claimDue("a", 1, T0, T0.plusSeconds(60));

    readBeforeClaim.cancel("late", T0.plusSeconds(1));
    assertThat(tasks.update(readBeforeClaim)).isFalse();
  }

  @Test
  void aFinalTaskGivesUpItsLeaseAndIsNeverClaimed() {
    Task task = aTask().acceptedAt(T0).build();
    tasks.insert(task, null, null);
    Task claimed = tasks.claimDue("a", 1, T0, T0.plusSeconds(60)).get(0);
    claimed.fail("broken", new TaskError("X", "y", null), 1, null, T0.plusSeconds(1));
    assertThat(tasks.update(claimed)).isTrue();

    assertThat(
            jdbc.sql("SELECT lease_owner FROM task WHERE id = :id")
                .param("id", task.id())
                .query(String.class)
                .optional())
        .isEmpty();
    assertThat(tasks.claimDue("b", 10, T0.plus(Duration.ofDays(1)), T0.plus(Duration.ofDays(2))))
        .isEmpty();
  }

  @Test
  void aStepsImmediateEventAndProgressAreWrittenOnlyWhileItsInstanceHoldsTheTask() {
    Task task = aTask().acceptedAt(T0).build();
    tasks.insert(task, null, null);
    Task claimed = tasks.claimDue("a", 1, T0, T0.plusSeconds(60)).get(0);

    tasks.recordNow(
        task.id(),
        "a",
        new TaskEvent(T0.plusSeconds(1), "RETRY", null, null, "run 2 again", Map.of("i", 2)));
    tasks.progress(task.id(), "a", "2 of 6 ended", T0.plusSeconds(1));
    tasks.recordNow(
        task.id(),
        "b",
        new TaskEvent(T0.plusSeconds(2), "RETRY", null, null, "not mine", Map.of()));
    tasks.progress(task.id(), "b", "not mine", T0.plusSeconds(2));

    assertThat(tasks.events(task.id()))
        .filteredOn(e -> e.kind().equals("RETRY"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.reason()).isEqualTo("run 2 again");
              assertThat(e.details()).containsEntry("i", 2);
            });
    Task stored = tasks.find(task.id()).orElseThrow();
    assertThat(stored.statusReason()).isEqualTo("2 of 6 ended");
    // the step's own write at its end still goes through: neither took part in the version check
    claimed.startBuilding(T0.plusSeconds(3));
    assertThat(tasks.update(claimed)).isTrue();
  }

  @Test
  void releasedTasksAreDueAgainAtTheGivenTime() {
    Task task = aTask().acceptedAt(T0).build();
    tasks.insert(task, null, null);
    tasks.claimDue("a", 1, T0, T0.plusSeconds(60));

    assertThat(tasks.release(task.id(), "a", T0.plusSeconds(30))).isTrue();
    assertThat(tasks.claimDue("b", 1, T0.plusSeconds(29), T0.plusSeconds(90))).isEmpty();
    assertThat(tasks.claimDue("b", 1, T0.plusSeconds(30), T0.plusSeconds(90))).hasSize(1);
  }

  @Test
  void releaseAllGivesBackEveryLeaseOfAnInstance() {
    List<UUID> ids = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 3; i++) {
      Task t = aTask().acceptedAt(T0).build();
      ids.add(t.id());
      tasks.insert(t, null, null);
    }
    tasks.claimDue("stopping", 10, T0, T0.plusSeconds(60));

    assertThat(tasks.releaseAll("stopping", T0.plusSeconds(5))).isEqualTo(3);
    assertThat(tasks.claimDue("other", 10, T0.plusSeconds(5), T0.plusSeconds(65))).hasSize(3);
  }
}
