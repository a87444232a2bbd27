package io.batchexecutor.api;

import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * Answers held until a task ends ({@code GET /api/v1/tasks/{id}?wait=30}), without a thread per
 * waiting client: one timer asks the database, every 100 ms, which of the awaited tasks have ended
 * (one query for all of them), and completes those answers, or the ones whose wait is over, with
 * the task as it is then.
 */
@Component
class TaskWaits implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(TaskWaits.class);
  static final Duration TICK = Duration.ofMillis(100);

  private record Waiter(UUID task, Instant until, DeferredResult<TaskResponse> answer) {}

  private final TaskRepository tasks;
  private final Clock clock;
  private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
  private ScheduledExecutorService timer;

  TaskWaits(TaskRepository tasks, Clock clock) {
    this.tasks = tasks;
    this.clock = clock;
  }

  /** An answer that comes once {@code task} has ended, or after {@code wait} with it as it is. */
  DeferredResult<TaskResponse> await(Task task, Duration wait) {
    // the servlet container's own timeout is only a backstop, well after the timer's deadline
    DeferredResult<TaskResponse> answer =
        new DeferredResult<>(wait.plus(Duration.ofSeconds(10)).toMillis());
    Waiter waiter = new Waiter(task.id(), clock.instant().plus(wait), answer);
    answer.onCompletion(() -> waiters.remove(waiter));
    answer.onTimeout(() -> answer.setResult(current(task.id())));
    waiters.add(waiter);
    return answer;
  }

  void tick() {
    if (waiters.isEmpty()) {
      return;
    }
    try {
      List<UUID> ids = waiters.stream().map(Waiter::task).distinct().toList();
      Map<UUID, Task> ended = tasks.finalAmong(ids);
      Instant now = clock.instant();
      for (Waiter w : List.copyOf(waiters)) {
        Task done = ended.get(w.task());
        if (done != null) {
          w.answer().setResult(TaskResponse.of(done));
        } else if (!now.isBefore(w.until())) {
          w.answer().setResult(current(w.task()));
        }
      }
    } catch (RuntimeException e) {
      log.debug("Could not look at awaited tasks; next tick: {}", e.getMessage());
    }
  }

  private TaskResponse current(UUID id) {
    return tasks.find(id).map(TaskResponse::of).orElse(null);
  }

  @Override
  public synchronized void start() {
    timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "task-waits");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(
        this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** A stopping instance answers every held request with the task as it is. */
  @Override
  public synchronized void stop() {
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
    }
    for (Waiter w : List.copyOf(waiters)) {
      try {
        w.answer().setResult(current(w.task()));
      } catch (RuntimeException e) {
        w.answer().setErrorResult(e);
      }
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return timer != null;
  }
}
