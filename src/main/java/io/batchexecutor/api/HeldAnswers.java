package io.batchexecutor.api;

import io.batchexecutor.config.ClientLimits;
import io.batchexecutor.support.Periodic;
import io.batchexecutor.task.TaskNotifications;
import io.batchexecutor.task.TaskQueries;
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
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * Answers held until a task or a workflow ends ({@code ?wait=<seconds>}), without a thread per
 * waiting client. The write that ends a task wakes them: directly on the instance that wrote it,
 * through PostgreSQL {@code NOTIFY} on every other ({@link TaskNotifications}); the answer is then
 * completed on this class's own thread with what the task or workflow is then. A timer completes
 * the answers whose wait is over (every 100 ms, in memory), and as a fallback for a notification
 * missed while the listener reconnected, asks the database once a second which of the awaited tasks
 * and workflows have ended (one query for each kind, however many wait).
 */
@Component
class HeldAnswers implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(HeldAnswers.class);
  static final Duration TICK = Duration.ofMillis(100);

  /** How often the fallback asks the database what of the awaited has ended. */
  static final Duration FALLBACK = Duration.ofSeconds(1);

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
      String owner,
      Kind kind,
      UUID id,
      Instant until,
      DeferredResult<T> answer,
      Supplier<T> current) {

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
  private final Periodic timer;
  private final ClientLimits limits;

  /** When the fallback last asked; reset by a new waiter, whose task may have just ended. */
  private volatile Instant lastFallback = Instant.MIN;

  HeldAnswers(
      TaskQueries tasks,
      WorkflowRepository workflows,
      TaskNotifications notifications,
      Clock clock,
      TaskScheduler scheduler,
      ClientLimits limits) {
    this.timer = new Periodic(scheduler, "held-answers", this::tick, TICK, TICK);
    this.limits = limits;
    this.endedTasks = tasks::endedAmong;
    this.endedWorkflows = workflows::endedAmong;
    this.clock = clock;
    notifications.subscribe(
        new TaskNotifications.Subscriber() {
          @Override
          public void ended(UUID task, UUID workflow) {
            if (!waiters.isEmpty()) {
              timer.runSoon(() -> wake(task, workflow));
            }
          }
        });
  }

  /** Completes the answers held for {@code task}, and for {@code workflow} if it has ended. */
  void wake(UUID task, UUID workflow) {
    try {
      boolean workflowEnded = false;
      for (Waiter<?> w : List.copyOf(waiters)) {
        if (w.kind() == Kind.TASK && w.id().equals(task)) {
          w.complete();
        } else if (w.kind() == Kind.WORKFLOW && w.id().equals(workflow)) {
          workflowEnded = workflowEnded || !endedWorkflows.apply(List.of(workflow)).isEmpty();
          if (workflowEnded) {
            w.complete();
          }
        }
      }
    } catch (RuntimeException e) {
      log.debug("Could not answer what waits on task {}; next tick: {}", task, e.getMessage());
    }
  }

  /**
   * An answer that comes once {@code id} has ended, or after {@code wait}; either way it is what
   * {@code current} gives then (read on the timer's thread: it must not depend on the request).
   */
  synchronized <T> DeferredResult<T> await(
      String owner, Kind kind, UUID id, Duration wait, Supplier<T> current) {
    int most = limits.maxHeldWaits(owner);
    if (waiters.stream().filter(w -> w.owner().equals(owner)).count() >= most) {
      ProblemException mine =
          new ProblemException(
              HttpStatus.TOO_MANY_REQUESTS,
              Problems.TOO_MANY_HELD_WAITS,
              "Too many held answers",
              "this client has "
                  + most
                  + " answers held on this instance already"
                  + " (batch-executor.clients.<name>.max-held-waits); ask without ?wait=, or once"
                  + " one has come");
      mine.getHeaders().set(HttpHeaders.RETRY_AFTER, "1");
      throw mine;
    }
    // the servlet container's own timeout is only a backstop, well after the timer's deadline
    DeferredResult<T> answer = new DeferredResult<>(wait.plus(Duration.ofSeconds(10)).toMillis());
    Waiter<T> waiter = new Waiter<>(owner, kind, id, clock.instant().plus(wait), answer, current);
    answer.onCompletion(() -> waiters.remove(waiter));
    answer.onTimeout(waiter::complete);
    waiters.add(waiter);
    // an end written between the caller's read and now was announced to no one: the next tick asks
    lastFallback = Instant.MIN;
    return answer;
  }

  /** How many answers {@code owner} has held on this instance now. */
  int heldFor(String owner) {
    return (int) waiters.stream().filter(w -> w.owner().equals(owner)).count();
  }

  void tick() {
    if (waiters.isEmpty()) {
      return;
    }
    try {
      Instant now = clock.instant();
      Set<UUID> ended = new HashSet<>();
      if (!now.isBefore(lastFallback.plus(FALLBACK))) {
        lastFallback = now;
        ended.addAll(endedTasks.apply(ids(Kind.TASK)));
        ended.addAll(endedWorkflows.apply(ids(Kind.WORKFLOW)));
      }
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
