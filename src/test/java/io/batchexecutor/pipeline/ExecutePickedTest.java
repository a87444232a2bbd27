package io.batchexecutor.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchexecutor.backend.BackOff;
import io.batchexecutor.backend.ComputeBackend;
import io.batchexecutor.backend.PipelineStep;
import io.batchexecutor.backend.StepContext;
import io.batchexecutor.backend.StepResult;
import io.batchexecutor.backend.Unreachable;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.SettableClock;
import io.batchexecutor.support.TaskBuilder;
import io.batchexecutor.task.CancelRequests;
import io.batchexecutor.task.EventKind;
import io.batchexecutor.task.HeldTasks;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskEvent;
import io.batchexecutor.task.TaskQueries;
import io.batchexecutor.task.TaskRepository;
import io.batchexecutor.task.TaskStatus;
import io.batchexecutor.task.WorkQueue;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What the pipeline does with a claimed task, step by step, on the real database and a clock that
 * stands still until the test moves it: a step's result is written and the task released until when
 * the step says; a cancel request stops the backend's work and ends the task; a service that does
 * not answer is waited for with a back-off, and given up on after the budget; a write that another
 * writer beat changes nothing; a stopping instance leaves the task as it was; any other failure of
 * a step fails the task with the error.
 */
@ServiceTest
class ExecutePickedTest {

  static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");
  static final String ME = "test-instance";

  @Autowired TaskRepository tasks;
  @Autowired HeldTasks held;
  @Autowired WorkQueue queue;
  @Autowired CancelRequests cancels;
  @Autowired TaskQueries queries;
  @Autowired JdbcClient jdbc;
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  final SettableClock clock = SettableClock.at(T0);
  final List<UUID> stopped = new ArrayList<>();
  final WakeUp wakeUp = new WakeUp();

  @Test
  void aStepInterruptedByAStoppingInstanceLeavesTheTaskAsItWas() {
    Task task = stored();
    ExecutePicked execute = executing(new RuntimeException(new ClosedByInterruptException()));

    assertThatThrownBy(() -> execute.execute(claimed(task), () -> false))
        .isInstanceOf(InterruptedException.class);

    assertThat(Thread.interrupted()).as("the interrupt goes on").isTrue();
    assertThat(tasks.find(task.id()).orElseThrow().status()).isEqualTo(TaskStatus.QUEUED);
    assertThat(stepsTimed("interrupted")).isEqualTo(1);
  }

  @Test
  void anyOtherFailureOfAStepFailsTheTaskWithTheError() throws InterruptedException {
    Task task = stored();

    executing(new IllegalStateException("broken step")).execute(claimed(task), () -> false);

    Task failed = tasks.find(task.id()).orElseThrow();
    assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(failed.statusReason()).contains("broken step");
    assertThat(failed.finishedAt()).isEqualTo(T0);
    assertThat(leaseOwner(task)).as("a final write gives the lease up").isNull();
    assertThat(stepsTimed("failed")).isEqualTo(1);
  }

  @Test
  void aStepTheTaskReachedDuringTheClaimRunsForTheFirstTimeOneItWasClaimedInMayNot()
      throws InterruptedException {
    Task task = stored();
    List<Boolean> seen = new ArrayList<>();
    PipelineStep start =
        step(TaskStatus.QUEUED, (t, c) -> t.startBuilding(c.now()), StepResult.proceed());
    PipelineStep next =
        step(
            TaskStatus.BUILDING,
            (t, c) -> seen.add(c.firstRun()),
            StepResult.releaseFor(Duration.ZERO));
    ExecutePicked execute = executing(List.of(start, next));

    execute.execute(claimed(task), () -> false);
    assertThat(tasks.find(task.id()).orElseThrow().status()).isEqualTo(TaskStatus.BUILDING);
    execute.execute(claimed(task), () -> false);

    assertThat(seen)
        .as("reached by the step before it, then claimed in its state after a release")
        .containsExactly(true, false);
  }

  @Test
  void aReleasedTaskIsWrittenAndDueAgainWhenTheStepSaysNotBefore() throws InterruptedException {
    Task task = stored();
    AtomicInteger buildingRuns = new AtomicInteger();
    ExecutePicked execute =
        executing(
            List.of(
                step(
                    TaskStatus.QUEUED,
                    (t, c) -> t.startBuilding(c.now()),
                    StepResult.releaseFor(Duration.ofMinutes(5))),
                step(
                    TaskStatus.BUILDING,
                    (t, c) -> buildingRuns.incrementAndGet(),
                    StepResult.proceed())));

    execute.execute(claimed(task), () -> false);

    Task released = tasks.find(task.id()).orElseThrow();
    assertThat(released.status()).isEqualTo(TaskStatus.BUILDING);
    assertThat(buildingRuns).as("the next step waits for the next claim").hasValue(0);
    assertThat(leaseOwner(task)).as("the lease is given back").isNull();
    assertThat(nextRunAt(task)).isEqualTo(T0.plus(Duration.ofMinutes(5)));
    assertThat(dueIds(T0.plus(Duration.ofMinutes(5)).minusNanos(1000))).doesNotContain(task.id());
    assertThat(dueIds(T0.plus(Duration.ofMinutes(5)))).contains(task.id());
    assertThat(stepsTimed("released")).isEqualTo(1);
  }

  @Test
  void aReleasedTaskWakesTheClaimLoopWhenItComesDueInRealTime() throws InterruptedException {
    Task task = stored();
    executing(
            List.of(
                step(
                    TaskStatus.QUEUED,
                    (t, c) -> t.startBuilding(c.now()),
                    StepResult.releaseFor(Duration.ofMillis(300)))))
        .execute(claimed(task), () -> false);

    long start = System.nanoTime();
    wakeUp.await(Duration.ofMinutes(1)); // what the claim loop does with nothing to claim
    Duration waited = Duration.ofNanos(System.nanoTime() - start);

    // a wait is real time (the clock here stands still): the loop wakes when the task comes due
    assertThat(waited).isBetween(Duration.ofMillis(200), Duration.ofSeconds(10));
  }

  @Test
  void aCancelRequestedBeforeTheClaimStopsTheBackendsWorkAndEndsTheTask()
      throws InterruptedException {
    Task task = stored();
    ExecutePicked execute =
        executing(
            List.of(
                step(
                    TaskStatus.QUEUED,
                    (t, c) -> t.startBuilding(c.now()),
                    StepResult.releaseFor(Duration.ZERO)),
                step(
                    TaskStatus.BUILDING,
                    (t, c) -> {
                      throw new AssertionError("a cancelled task runs no step");
                    },
                    StepResult.proceed())));
    execute.execute(claimed(task), () -> false);
    clock.advance(Duration.ofSeconds(7));
    assertThat(cancels.request(task.id(), clock.instant())).isTrue();

    execute.execute(claimed(task), () -> false);

    Task cancelled = tasks.find(task.id()).orElseThrow();
    assertThat(cancelled.status()).isEqualTo(TaskStatus.CANCELLED);
    assertThat(cancelled.statusReason()).isEqualTo("cancelled on request");
    assertThat(cancelled.finishedAt()).isEqualTo(T0.plusSeconds(7));
    assertThat(stopped).as("the backend stopped its work").containsExactly(task.id());
    assertThat(leaseOwner(task)).isNull();
  }

  @Test
  void aCancelRequestedWhileAStepRunsEndsTheTaskBeforeTheNextStep() throws InterruptedException {
    Task task = stored();
    ExecutePicked execute =
        executing(
            List.of(
                step(
                    TaskStatus.QUEUED,
                    (t, c) -> {
                      t.startBuilding(c.now());
                      cancels.request(t.id(), c.now(), "its workflow was cancelled");
                    },
                    StepResult.proceed()),
                step(
                    TaskStatus.BUILDING,
                    (t, c) -> {
                      throw new AssertionError("a cancelled task runs no further step");
                    },
                    StepResult.proceed())));

    execute.execute(claimed(task), () -> false);

    Task cancelled = tasks.find(task.id()).orElseThrow();
    assertThat(cancelled.status()).isEqualTo(TaskStatus.CANCELLED);
    assertThat(cancelled.statusReason()).isEqualTo("its workflow was cancelled");
    assertThat(stopped).as("what the step started is stopped").containsExactly(task.id());
  }

  @Test
  void aCancelRequestedWhileAReleasingStepRunsMakesTheTaskDueAtOnce() throws InterruptedException {
    Task task = stored();
    ExecutePicked execute =
        executing(
            List.of(
                step(
                    TaskStatus.QUEUED,
                    (t, c) -> {
                      t.startBuilding(c.now());
                      cancels.request(t.id(), c.now());
                    },
                    StepResult.releaseFor(Duration.ofHours(1)))));

    execute.execute(claimed(task), () -> false);

    assertThat(leaseOwner(task)).as("the lease is given back").isNull();
    assertThat(nextRunAt(task)).as("due at once, not in an hour").isEqualTo(T0);
    assertThat(dueIds(T0)).contains(task.id());
    execute.execute(claimed(task), () -> false);
    assertThat(tasks.find(task.id()).orElseThrow().status()).isEqualTo(TaskStatus.CANCELLED);
  }

  @Test
  void aQueuedTaskIsCancelledWithoutAskingTheBackend() throws InterruptedException {
    Task task = stored();
    cancels.request(task.id(), T0);

    executing(List.of()).execute(claimed(task), () -> false);

    assertThat(tasks.find(task.id()).orElseThrow().status()).isEqualTo(TaskStatus.CANCELLED);
    assertThat(stopped).as("nothing of a queued task runs anywhere").isEmpty();
  }

  @Test
  void anUnansweredServiceIsWaitedForWithABackOffThenGivenUpOnAfterTheBudget()
      throws InterruptedException {
    Task task = stored();
    ExecutePicked execute = executing(new Unanswered("no engine"));

    execute.execute(claimed(task), () -> false);

    Task waiting = tasks.find(task.id()).orElseThrow();
    assertThat(waiting.status())
        .as("nothing is decided on a failure to answer")
        .isEqualTo(TaskStatus.QUEUED);
    assertThat(waiting.unreachableSince()).isEqualTo(T0);
    assertThat(waiting.unreachableTries()).isEqualTo(1);
    assertThat(leaseOwner(task)).isNull();
    assertThat(nextRunAt(task))
        .as("the first back-off: 1 s, ±20 %")
        .isBetween(T0.plusMillis(800), T0.plusMillis(1200));
    assertThat(lastEvent(task).reason()).startsWith("waiting: test engine did not answer (try 1;");
    assertThat(stepsTimed("unreachable")).isEqualTo(1);

    clock.advance(Duration.ofMinutes(29));
    execute.execute(claimed(task), () -> false);
    assertThat(tasks.find(task.id()).orElseThrow().status()).isEqualTo(TaskStatus.QUEUED);
    assertThat(nextRunAt(task))
        .as("the second: 2 s, ±20 %")
        .isBetween(clock.instant().plusMillis(1600), clock.instant().plusMillis(2400));

    clock.advance(Duration.ofMinutes(1));
    execute.execute(claimed(task), () -> false);
    Task gaveUp = tasks.find(task.id()).orElseThrow();
    assertThat(gaveUp.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(gaveUp.statusReason())
        .isEqualTo("gave up after 30 min of retries: test engine did not answer");
    assertThat(gaveUp.error().type()).isEqualTo("TestUnreachable");
    assertThat(gaveUp.finishedAt()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
  }

  @Test
  void aServiceAnsweringAgainIsRecordedAndTheTaskGoesOn() throws InterruptedException {
    Task task = stored();
    AtomicInteger tries = new AtomicInteger();
    ExecutePicked execute =
        executing(
            List.of(
                step(
                    TaskStatus.QUEUED,
                    (t, c) -> {
                      if (tries.incrementAndGet() == 1) {
                        throw new Unanswered("first try");
                      }
                      t.startBuilding(c.now());
                    },
                    StepResult.releaseFor(Duration.ofSeconds(30)))));
    execute.execute(claimed(task), () -> false);
    clock.advance(Duration.ofSeconds(2));

    execute.execute(claimed(task), () -> false);

    Task going = tasks.find(task.id()).orElseThrow();
    assertThat(going.status()).isEqualTo(TaskStatus.BUILDING);
    assertThat(going.unreachableSince()).isNull();
    assertThat(going.unreachableTries()).isZero();
    assertThat(queries.events(task.id()))
        .extracting(TaskEvent::kind)
        .containsSubsequence(EventKind.UNREACHABLE, EventKind.REACHABLE);
    assertThat(nextRunAt(task)).isEqualTo(T0.plusSeconds(32));
  }

  @Test
  void whenAnotherWriterChangedTheTaskFirstNothingOfThisClaimIsWrittenAndItGoesNoFurther()
      throws InterruptedException {
    Task task = stored();
    AtomicInteger buildingRuns = new AtomicInteger();
    ExecutePicked execute =
        executing(
            List.of(
                step(
                    TaskStatus.QUEUED,
                    (t, c) -> {
                      t.startBuilding(c.now());
                      // meanwhile the lease was reaped and another instance claimed the task
                      jdbc.sql(
                              "UPDATE task SET lease_owner = 'other-instance', version = version + 1"
                                  + " WHERE id = :id")
                          .param("id", t.id())
                          .update();
                    },
                    StepResult.proceed()),
                step(
                    TaskStatus.BUILDING,
                    (t, c) -> buildingRuns.incrementAndGet(),
                    StepResult.proceed())));

    execute.execute(claimed(task), () -> false);

    Task stored = tasks.find(task.id()).orElseThrow();
    assertThat(stored.status()).as("this claim's change is dropped").isEqualTo(TaskStatus.QUEUED);
    assertThat(buildingRuns).as("the task goes no further here").hasValue(0);
    assertThat(leaseOwner(task)).as("the winner's lease is left alone").isEqualTo("other-instance");
    assertThat(queries.events(task.id()))
        .extracting(TaskEvent::toStatus)
        .doesNotContain(TaskStatus.BUILDING);
  }

  /** A failure the test backend calls unreachable. */
  static final class Unanswered extends RuntimeException {
    Unanswered(String message) {
      super(message);
    }
  }

  private static PipelineStep step(
      TaskStatus status, BiConsumer<Task, StepContext> work, StepResult result) {
    return new PipelineStep() {
      @Override
      public boolean handles(Task task) {
        return task.status() == status;
      }

      @Override
      public StepResult run(Task task, StepContext context) {
        work.accept(task, context);
        return result;
      }
    };
  }

  @Test
  void aStatusWrittenFirstIsStoredBeforeTheStepGoesOnAtOnce() throws InterruptedException {
    Task task = stored();
    List<TaskStatus> storedWhenWorking = new ArrayList<>();
    PipelineStep build =
        new PipelineStep() {
          @Override
          public boolean handles(Task t) {
            return t.status() == TaskStatus.QUEUED || t.status() == TaskStatus.BUILDING;
          }

          @Override
          public StepResult run(Task t, StepContext c) {
            if (t.status() == TaskStatus.QUEUED) {
              t.startBuilding(c.now());
              return StepResult.statusFirst();
            }
            storedWhenWorking.add(tasks.find(t.id()).orElseThrow().status());
            return StepResult.releaseFor(Duration.ofSeconds(30));
          }
        };

    executing(List.of(build)).execute(claimed(task), () -> false);

    assertThat(storedWhenWorking)
        .as("the slow part ran once, in the same claim, with BUILDING already stored")
        .containsExactly(TaskStatus.BUILDING);
    assertThat(nextRunAt(task)).isEqualTo(T0.plusSeconds(30));
    assertThat(stepsTimed("proceeded")).isEqualTo(1);
  }

  @Test
  void aStepThatAsksNotToBeWrittenIsStoredWithTheNextStepsWriteOnly() throws InterruptedException {
    Task task = stored();
    List<TaskStatus> storedWhenNextRan = new ArrayList<>();
    PipelineStep found =
        step(TaskStatus.QUEUED, (t, c) -> t.startBuilding(c.now()), StepResult.proceedUnwritten());
    PipelineStep next =
        step(
            TaskStatus.BUILDING,
            (t, c) -> {
              storedWhenNextRan.add(tasks.find(t.id()).orElseThrow().status());
              t.observe(TaskStatus.SUBMITTED, "submitted", c.now());
            },
            StepResult.releaseFor(Duration.ofSeconds(30)));

    Task claimed = claimed(task);
    executing(List.of(found, next)).execute(claimed, () -> false);

    assertThat(storedWhenNextRan)
        .as("nothing written between the two")
        .containsExactly(TaskStatus.QUEUED);
    Task stored = tasks.find(task.id()).orElseThrow();
    assertThat(stored.status()).isEqualTo(TaskStatus.SUBMITTED);
    assertThat(
            queries.events(task.id()).stream()
                .filter(e -> e.kind() == EventKind.STATUS)
                .map(TaskEvent::toStatus))
        .as("both steps' moves are recorded, in order")
        .containsSubsequence(TaskStatus.BUILDING, TaskStatus.SUBMITTED);
  }

  @Test
  void aStopRequestedWhileAnUnwrittenStepRanIsReadByAWriteBeforeTheNextStep()
      throws InterruptedException {
    Task task = stored();
    List<String> ran = new ArrayList<>();
    PipelineStep found =
        step(
            TaskStatus.QUEUED,
            (t, c) -> {
              t.startBuilding(c.now());
              cancels.request(t.id(), c.now(), "test");
            },
            StepResult.proceedUnwritten());
    PipelineStep next =
        step(TaskStatus.BUILDING, (t, c) -> ran.add("launched"), StepResult.proceed());

    executing(List.of(found, next)).execute(claimed(task), () -> true);

    assertThat(ran).as("the cancel is taken up before the next step").isEmpty();
    assertThat(tasks.find(task.id()).orElseThrow().status()).isEqualTo(TaskStatus.CANCELLED);
  }

  @Test
  void aTaskCrashedBetweenAnUnwrittenStepAndTheNextIsTakenUpAsLastWritten()
      throws InterruptedException {
    Task task = stored();
    PipelineStep found =
        step(TaskStatus.QUEUED, (t, c) -> t.startBuilding(c.now()), StepResult.proceedUnwritten());
    PipelineStep crashes =
        step(
            TaskStatus.BUILDING,
            (t, c) -> {
              throw new Unanswered("engine away");
            },
            StepResult.proceed());

    executing(List.of(found, crashes)).execute(claimed(task), () -> false);

    Task stored = tasks.find(task.id()).orElseThrow();
    assertThat(stored.status())
        .as("the unwritten step runs again next time")
        .isEqualTo(TaskStatus.QUEUED);
    assertThat(queries.events(task.id()))
        .noneMatch(e -> e.kind() == EventKind.STATUS && e.toStatus() == TaskStatus.BUILDING);
  }

  private long stepsTimed(String outcome) {
    return meters
        .get(ExecutePicked.STEP_TIMER)
        .tags("backend", "test", "outcome", outcome)
        .timer()
        .count();
  }

  private Task stored() {
    Task task = TaskBuilder.aTask().build();
    tasks.insert(task, null, null);
    return task;
  }

  /** The task as a claim by this instance gives it: leased to it, at its new version. */
  private Task claimed(Task task) {
    jdbc.sql(
            "UPDATE task SET lease_owner = :owner, lease_expires_at = :until,"
                + " version = version + 1 WHERE id = :id")
        .param("owner", ME)
        .param("until", clock.instant().plusSeconds(60).atOffset(ZoneOffset.UTC))
        .param("id", task.id())
        .update();
    return tasks.find(task.id()).orElseThrow();
  }

  private String leaseOwner(Task task) {
    return jdbc.sql("SELECT lease_owner FROM task WHERE id = :id")
        .param("id", task.id())
        .query((rs, n) -> rs.getString(1)) // null when no one holds it
        .list()
        .get(0);
  }

  private Instant nextRunAt(Task task) {
    return jdbc.sql("SELECT next_run_at FROM task WHERE id = :id")
        .param("id", task.id())
        .query(OffsetDateTime.class)
        .single()
        .toInstant();
  }

  /** The ids of the tasks a claim at {@code now} would find due (without claiming them). */
  private List<UUID> dueIds(Instant now) {
    return jdbc.sql("SELECT id FROM task WHERE lease_owner IS NULL AND next_run_at <= :now")
        .param("now", now.atOffset(ZoneOffset.UTC))
        .query(UUID.class)
        .list();
  }

  private TaskEvent lastEvent(Task task) {
    List<TaskEvent> events = queries.events(task.id());
    return events.get(events.size() - 1);
  }

  private ExecutePicked executing(RuntimeException failure) {
    return executing(
        List.of(
            step(
                TaskStatus.QUEUED,
                (t, c) -> {
                  throw failure;
                },
                StepResult.proceed())));
  }

  private ExecutePicked executing(List<PipelineStep> steps) {
    ComputeBackend backend =
        new ComputeBackend() {
          @Override
          public String name() {
            return "test";
          }

          @Override
          public List<PipelineStep> steps() {
            return steps;
          }

          @Override
          public void stop(Task task) {
            stopped.add(task.id());
          }

          @Override
          public Optional<Unreachable> unreachable(Throwable e) {
            return e instanceof Unanswered
                ? Optional.of(new Unreachable("TestUnreachable", "test engine did not answer"))
                : Optional.empty();
          }
        };
    return new ExecutePicked(
        tasks,
        held,
        queue,
        backend,
        clock,
        ME,
        new BackOff(Duration.ofSeconds(60), Duration.ofMinutes(30)),
        meters,
        wakeUp);
  }
}
