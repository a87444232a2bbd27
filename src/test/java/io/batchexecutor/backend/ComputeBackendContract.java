package io.batchexecutor.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.support.TaskBuilder;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import io.batchexecutor.task.WatchedTasks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ComputeBackend} promises the pipeline; each backend has a subclass that makes
 * it as its configuration does. The pipeline claims any unfinished task that is not WAITING and not
 * left to the backend's own poller, and works on it with the first step that handles it ({@code
 * ExecutePicked}): so every state a backend's tasks pass through must be handled by a step or
 * watched by that poller.
 */
public abstract class ComputeBackendContract {

  protected static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

  /** The backend under test, made as its configuration makes it. */
  protected abstract ComputeBackend backend();

  /** The value of {@code batch-executor.backend} that selects it. */
  protected abstract BatchExecutorProperties.Backend selectedBy();

  /**
   * One task in each unfinished state the backend's tasks pass through on their way to a final
   * status, moved there through {@link Task}'s own transitions as the backend's steps and poller
   * move them.
   */
  protected abstract List<Task> tasksOnTheirWay();

  /**
   * What the backend throws when a service it needs does not answer, from a real call to a service
   * where nothing listens; empty for a backend that calls no service.
   */
  protected abstract Optional<RuntimeException> failureWhenItsServiceIsDown() throws Exception;

  /**
   * Failures of the backend's own services that are answers, not silence (a refusal with a
   * multi-line message, say): none of them is unreachable, each is described in one line.
   */
  protected List<RuntimeException> answersOfItsServices() {
    return List.of();
  }

  /** A task of this backend that ran, but whose run is gone; empty where nothing ever runs. */
  protected abstract Optional<Task> aTaskWhoseRunIsGone();

  /** Skips a test that needs the backend's services where they are missing (saying why). */
  protected void assumeItsServices() {}

  /** A new task of this backend, QUEUED. */
  protected Task aTask() {
    return TaskBuilder.aTask().backend(backend().name()).acceptedAt(AT).build();
  }

  @Test
  void theNameIsTheOneItsTasksRecord() {
    ComputeBackend backend = backend();

    assertThat(backend.name()).isNotBlank().isEqualTo(backend.name());
    assertThat(backend.name())
        .as("tasks record the configured backend's name; the poller's claims compare them")
        .isEqualTo(selectedBy().name().toLowerCase(Locale.ROOT));
  }

  @Test
  void theWatchedTasksAreTheBackendsOwnAndUnfinished() {
    WatchedTasks watched = backend().watched();

    assertThat(watched.backend()).isEqualTo(backend().name());
    assertThat(watched.statuses())
        .allSatisfy(s -> assertThat(s.isFinal()).as(s + " is final").isFalse())
        .doesNotContain(TaskStatus.WAITING, TaskStatus.QUEUED);
  }

  @Test
  void outputIsReadAgainAtAPositiveInterval() {
    assertThat(backend().logReadInterval()).isNotNull().isPositive();
  }

  @Test
  void theStepsCoverEveryStateItsTasksPassThrough() {
    ComputeBackend backend = backend();
    List<PipelineStep> steps = backend.steps();
    Set<TaskStatus> watched = backend.watched().statuses();
    List<Task> tasks = tasksOnTheirWay();

    assertThat(steps).isNotEmpty().doesNotContainNull();
    List<String> uncovered = new ArrayList<>();
    for (Task task : tasks) {
      assertThat(task.status().isFinal()).as(describe(task)).isFalse();
      assertThat(task.backend()).isEqualTo(backend.name());
      boolean leftToThePoller = watched.contains(task.status()) && task.batchJobId() != null;
      if (!leftToThePoller && steps.stream().noneMatch(s -> s.handles(task))) {
        uncovered.add(describe(task));
      }
    }
    assertThat(uncovered).as("states that no step handles and no poller watches").isEmpty();
    Set<TaskStatus> reached =
        tasks.stream()
            .map(Task::status)
            .collect(Collectors.toCollection(() -> EnumSet.noneOf(TaskStatus.class)));
    assertThat(reached).as("every task starts QUEUED").contains(TaskStatus.QUEUED);
    assertThat(reached).as("the poller watches statuses its tasks reach").containsAll(watched);
  }

  @Test
  void failuresThatAreNotSilenceAreNotUnreachable() {
    List<RuntimeException> failures = new ArrayList<>(arbitraryFailures());
    failures.addAll(answersOfItsServices());

    for (RuntimeException failure : failures) {
      assertThat(backend().unreachable(failure)).as(failure.toString()).isEmpty();
    }
  }

  @Test
  void itsOwnServiceNotAnsweringIsUnreachable() throws Exception {
    Optional<RuntimeException> down = failureWhenItsServiceIsDown();
    Assumptions.assumeTrue(down.isPresent(), "the backend calls no service");

    Optional<Unreachable> unreachable = backend().unreachable(down.get());

    assertThat(unreachable).as(down.get().toString()).isPresent();
    assertThat(unreachable.get().kind()).isNotBlank().doesNotContainAnyWhitespaces();
    assertThat(unreachable.get().description()).isNotBlank().doesNotContain("\n", "\r");
    assertOneLine(backend().describe(down.get()), down.get());
  }

  @Test
  void everyFailureIsDescribedInOneReadableLine() {
    List<RuntimeException> failures = new ArrayList<>(arbitraryFailures());
    failures.addAll(answersOfItsServices());

    for (RuntimeException failure : failures) {
      assertOneLine(backend().describe(failure), failure);
    }
  }

  @Test
  void stoppingATaskThatNeverRanDoesNothing() {
    assumeItsServices();
    Task queued = aTask();
    Task building = aTask();
    building.startBuilding(AT);

    assertThatCode(() -> backend().stop(queued)).doesNotThrowAnyException();
    assertThatCode(() -> backend().stop(building)).doesNotThrowAnyException();
  }

  @Test
  void aTaskThatRunsNowhereHasNoLiveOutput() {
    assumeItsServices();
    Task queued = aTask();

    assertThat(backend().liveLogs(queued)).isEmpty();
    assertThat(backend().sweepLogs(queued, 0)).isEmpty();
    Optional<Task> gone = aTaskWhoseRunIsGone();
    if (gone.isPresent()) {
      assertThat(backend().liveLogs(gone.get())).as(describe(gone.get())).isEmpty();
      assertThat(backend().sweepLogs(gone.get(), 0)).as(describe(gone.get())).isEmpty();
    }
  }

  /** Failures with nothing of any service in them. */
  private static List<RuntimeException> arbitraryFailures() {
    return List.of(
        new RuntimeException("boom"),
        new RuntimeException(),
        new IllegalStateException("the first line\nthe second line\r\n\tat the third"),
        new IllegalArgumentException("outer", new IllegalStateException("inner")),
        new UncheckedIOException(new IOException("disk full")));
  }

  private static void assertOneLine(String described, Throwable failure) {
    assertThat(described)
        .as("%s described", failure)
        .isNotBlank()
        .isNotEqualTo("null")
        .doesNotContain("\n", "\r")
        .isEqualTo(described.strip());
  }

  private static String describe(Task task) {
    return task.status()
        + (task.imageRef() == null ? "" : " image=" + task.imageRef())
        + (task.jobDefinitionArn() == null ? "" : " job-definition")
        + (task.batchJobId() == null ? "" : " job=" + task.batchJobId())
        + (task.containerId() == null ? "" : " container")
        + (task.spec().hasSweep() ? " sweep" : "");
  }
}
