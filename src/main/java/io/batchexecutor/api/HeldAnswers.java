package io.batchexecutor.api;

import io.batchexecutor.pipeline.Periodic;
import io.batchexecutor.task.TaskRepository;
import io.batchexecutor.workflow.WorkflowRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * Answers held until a task or a workflow ends ({@code ?wait=<seconds>}), without a thread per
 * waiting client: one timer asks the database every 100 ms which of the awaited tasks, and which of
 * the awaited workflows, have ended (one query for each kind, however many wait), and completes
 * those answers, or the ones whose wait is over, with what they are then.
 */
@Component
class HeldAnswers implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(HeldAnswers.class);
  static final Duration TICK = Duration.ofMillis(100);

  /** The longest {@code ?wait=} a request may hold its answer. */
  static final int MAX_WAIT_SECONDS = 60;

  /** How long {@code ?wait=<seconds>} asks to hold the answer (zero when absent); checked. */
  static Duration waitOf(Integer seconds) {
    if (seconds == null) {
      return Duration.ZERO;
    }
    if (seconds < 0 || seconds > MAX_WAIT_SECONDS) {
      throw ProblemException.invalidParameter(
          "wait", "must be between 0 and " + MAX_WAIT_SECONDS + " seconds");
    }
    return Duration.ofSeconds(seconds);
  }

  /** What can be waited for, and how to tell which of some ids have ended. */
  enum Kind {
    TASK,
    WORKFLOW
  }

  private record Waiter<T>(
      Kind kind, UUID id, Instant until, DeferredResult<T> answer, Supplier<T> current) {

    void complete() {
      try {
        answer.setResult(current.get());
      } catch (RuntimeException e) {
        answer.setErrorResult(e);
      }
    }
  }

  private final Function<Collection<UUID>, Set<UUID>> endedTasks;
  private final Function<Collection<UUID>, Set<UUID>> endedWorkflows;
  private final Clock clock;
  private final Set<Waiter<?>> waiters = ConcurrentHashMap.newKeySet();
  private final Periodic timer = new Periodic("held-answers", this::tick, TICK, TICK);

  HeldAnswers(TaskRepository tasks, WorkflowRepository workflows, Clock clock) {
    this.endedTasks = tasks::endedAmong;
    this.endedWorkflows = workflows::endedAmong;
    this.clock = clock;
  }

  /**
   * An answer that comes once {@code id} has ended, or after {@code wait}; either way it is what
   * {@code current} gives then (read on the timer's thread: it must not depend on the request).
   */
  <T> DeferredResult<T> await(Kind kind, UUID id, Duration wait, Supplier<T> current) {
    // the servlet container's own timeout is only a backstop, well after the timer's deadline
    DeferredResult<T> answer = new DeferredResult<>(wait.plus(Duration.ofSeconds(10)).toMillis());
    Waiter<T> waiter = new Waiter<>(kind, id, clock.instant().plus(wait), answer, current);
    answer.onCompletion(() -> waiters.remove(waiter));
    answer.onTimeout(waiter::complete);
    waiters.add(waiter);
    return answer;
  }

  void tick() {
    if (waiters.isEmpty()) {
      return;
    }
    try {
      Set<UUID> ended = new HashSet<>();
      ended.addAll(endedTasks.apply(ids(Kind.TASK)));
      ended.addAll(endedWorkflows.apply(ids(Kind.WORKFLOW)));
      Instant now = clock.instant();
      for (Waiter<?> w : List.copyOf(waiters)) {
        if (ended.contains(w.id()) || !now.isBefore(w.until())) {
          w.complete();
        }
      }
    } catch (RuntimeException e) {
      log.debug("Could not look at what is awaited; next tick: {}", e.getMessage());
    }
  }

  private List<UUID> ids(Kind kind) {
    return waiters.stream().filter(w -> w.kind() == kind).map(Waiter::id).distinct().toList();
  }

  @Override
  public void start() {
    timer.start();
  }

  /** A stopping instance answers every held request with what it is then. */
  @Override
  public void stop() {
    timer.stop();
    List.copyOf(waiters).forEach(Waiter::complete);
  }

  @Override
  public boolean isRunning() {
    return timer.isRunning();
  }
}
