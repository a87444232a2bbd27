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

  static final WatchedTasks NO_WATCH = WatchedTasks.none("local");
  static final List<String> BACKENDS = List.of("none", "batchlike");

  @Autowired TaskRepository tasks;
  @Autowired HeldTasks held;
  @Autowired TaskQueries queries;
  @Autowired WorkQueue queue;
  @Autowired CancelRequests cancels;
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
              batch =
                  queue.claimDue(
                      owner, BACKENDS, 7, T0.plusSeconds(1), T0.plusSeconds(60), NO_WATCH);
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

    assertThat(queue.claimDue("a", BACKENDS, 10, T0.plusSeconds(1), T0.plusSeconds(60), NO_WATCH))
        .hasSize(1);
    assertThat(queue.claimDue("b", BACKENDS, 10, T0.plusSeconds(2), T0.plusSeconds(62), NO_WATCH))
        .isEmpty();
  }

  @Test
  void anExpiredLeaseIsReapedAndTheTaskClaimedAgain() {
    Task task = aTask().acceptedAt(T0).build();
    tasks.insert(task, null, null);
    queue.claimDue("dead-instance", BACKENDS, 10, T0, T0.plusSeconds(60), NO_WATCH);

    assertThat(queue.reapExpiredLeases(T0.plusSeconds(59))).isEmpty();
    List<WorkQueue.Reaped> reaped = queue.reapExpiredLeases(T0.plusSeconds(61));

    assertThat(reaped).extracting(WorkQueue.Reaped::id).containsExactly(task.id());
    assertThat(reaped.get(0).previousOwner()).isEqualTo("dead-instance");
    List<Task> again =
        queue.claimDue(
            "live-instance", BACKENDS, 10, T0.plusSeconds(61), T0.plusSeconds(121), NO_WATCH);
    assertThat(again).extracting(Task::id).containsExactly(task.id());
    assertThat(queries.events(task.id()))
        .extracting(TaskEvent::kind)
        .containsExactly(
            EventKind.STATUS, EventKind.CLAIMED, EventKind.LEASE_EXPIRED, EventKind.CLAIMED);
  }

  @Test
  void renewedLeasesDoNotExpire() {
    Task task = aTask().acceptedAt(T0).build();
    tasks.insert(task, null, null);
    queue.claimDue("a", BACKENDS, 10, T0, T0.plusSeconds(60), NO_WATCH);

    assertThat(queue.renewLeases("a", Set.of(task.id()), T0.plusSeconds(120)))
        .containsExactly(task.id());
    assertThat(queue.reapExpiredLeases(T0.plusSeconds(90))).isEmpty();
    assertThat(queue.renewLeases("b", Set.of(task.id()), T0.plusSeconds(200))).isEmpty();
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
    assertThat(queries.events(task.id()))
        .extracting(TaskEvent::toStatus)
        .containsExactly(TaskStatus.QUEUED, TaskStatus.BUILDING);
  }

  @Test
  void aClaimMakesEarlierReadsStale() {
    Task task = aTask().acceptedAt(T0).build();
    tasks.insert(task, null, null);
    Task readBeforeClaim = tasks.find(task.id()).orElseThrow();
    queue.claimDue("a", BACKENDS, 1, T0, T0.plusSeconds(60), NO_WATCH);

    readBeforeClaim.cancel("late", T0.plusSeconds(1));
    assertThat(tasks.update(readBeforeClaim)).isFalse();
  }

  @Test
  void aFinalTaskGivesUpItsLeaseAndIsNeverClaimed() {
    Task task = aTask().acceptedAt(T0).build();
    tasks.insert(task, null, null);
    Task claimed = queue.claimDue("a", BACKENDS, 1, T0, T0.plusSeconds(60), NO_WATCH).get(0);
    claimed.fail("broken", new TaskError("X", "y", null), 1, null, T0.plusSeconds(1));
    assertThat(tasks.update(claimed)).isTrue();

    assertThat(
            jdbc.sql("SELECT lease_owner FROM task WHERE id = :id")
                .param("id", task.id())
                .query(String.class)
                .optional())
        .isEmpty();
    assertThat(
            queue.claimDue(
                "b",
                BACKENDS,
                10,
                T0.plus(Duration.ofDays(1)),
                T0.plus(Duration.ofDays(2)),
                NO_WATCH))
        .isEmpty();
  }

  @Test
  void aStepsImmediateEventAndProgressAreWrittenOnlyWhileItsInstanceHoldsTheTask() {
    Task task = aTask().acceptedAt(T0).build();
    tasks.insert(task, null, null);
    Task claimed = queue.claimDue("a", BACKENDS, 1, T0, T0.plusSeconds(60), NO_WATCH).get(0);

    held.recordNow(
        task.id(),
        "a",
        new TaskEvent(
            T0.plusSeconds(1), EventKind.RETRY, null, null, "run 2 again", Map.of("i", 2)));
    held.progress(task.id(), "a", "2 of 6 ended", T0.plusSeconds(1));
    held.recordNow(
        task.id(),
        "b",
        new TaskEvent(T0.plusSeconds(2), EventKind.RETRY, null, null, "not mine", Map.of()));
    held.progress(task.id(), "b", "not mine", T0.plusSeconds(2));

    assertThat(queries.events(task.id()))
        .filteredOn(e -> e.kind().equals(EventKind.RETRY))
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
    queue.claimDue("a", BACKENDS, 1, T0, T0.plusSeconds(60), NO_WATCH);

    assertThat(queue.release(task.id(), "a", T0.plusSeconds(30))).isTrue();
    assertThat(queue.claimDue("b", BACKENDS, 1, T0.plusSeconds(29), T0.plusSeconds(90), NO_WATCH))
        .isEmpty();
    assertThat(queue.claimDue("b", BACKENDS, 1, T0.plusSeconds(30), T0.plusSeconds(90), NO_WATCH))
        .hasSize(1);
  }

  @Test
  void releaseAllGivesBackEveryLeaseOfAnInstance() {
    List<UUID> ids = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 3; i++) {
      Task t = aTask().acceptedAt(T0).build();
      ids.add(t.id());
      tasks.insert(t, null, null);
    }
    queue.claimDue("stopping", BACKENDS, 10, T0, T0.plusSeconds(60), NO_WATCH);

    assertThat(queue.releaseAll("stopping", T0.plusSeconds(5))).isEqualTo(3);
    assertThat(
            queue.claimDue("other", BACKENDS, 10, T0.plusSeconds(5), T0.plusSeconds(65), NO_WATCH))
        .hasSize(3);
  }

  @Test
  void aJobItsBackendWatchesIsLeftToThatBackendsPollerAndClaimedByIt() {
    WatchedTasks watched = new WatchedTasks("batchlike", java.util.Set.of(TaskStatus.SUBMITTED));
    Task submitted = aTask().backend("batchlike").acceptedAt(T0).build();
    tasks.insert(submitted, null, null);
    Task held = queue.claimDue("me", BACKENDS, 1, T0, T0.plusSeconds(60), watched).get(0);
    held.startBuilding(T0);
    held.imageBuilt("img", false, T0);
    held.startPushing(T0);
    held.imagePushed("remote/img", false, T0);
    held.startRegistering(T0);
    held.registered("arn:job-definition", T0);
    held.submittedAsJob("job-1", "AWS Batch", T0);
    assertThat(tasks.update(held)).isTrue();
    queue.releaseAll("me", T0);

    assertThat(queue.claimDue("me", BACKENDS, 10, T0.plusSeconds(1), T0.plusSeconds(60), watched))
        .as("the pipeline leaves a watched job alone")
        .isEmpty();
    assertThat(queue.claimDue("me", BACKENDS, 10, T0.plusSeconds(1), T0.plusSeconds(60), NO_WATCH))
        .as("a backend that watches nothing leaves nothing out")
        .extracting(Task::id)
        .containsExactly(submitted.id());
    queue.releaseAll("me", T0.plusSeconds(1));
    assertThat(queue.claimWatched("poller", 10, T0.plusSeconds(2), T0.plusSeconds(60), watched))
        .extracting(Task::id)
        .containsExactly(submitted.id());

    queue.releaseAll("poller", T0.plusSeconds(2));
    cancels.request(submitted.id(), T0.plusSeconds(3));
    assertThat(queue.claimWatched("poller", 10, T0.plusSeconds(4), T0.plusSeconds(60), watched))
        .as("a cancel request goes to a pipeline worker, which stops the job")
        .isEmpty();
    assertThat(queue.claimDue("me", BACKENDS, 10, T0.plusSeconds(4), T0.plusSeconds(60), watched))
        .extracting(Task::id)
        .containsExactly(submitted.id());
  }
}
