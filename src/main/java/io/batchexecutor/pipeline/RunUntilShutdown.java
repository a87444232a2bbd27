package io.batchexecutor.pipeline;

import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.WatchedTasks;
import io.batchexecutor.task.WorkQueue;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The claim loop: whenever there are free workers, claim due tasks of the backends this instance
 * runs (one SQL statement, serving clients in turn) and hand each to a worker; otherwise wait for a
 * wake-up (a submission here, a NOTIFY from another instance) or, as a fallback, the poll interval.
 * It catches everything and keeps going.
 */
final class RunUntilShutdown implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(RunUntilShutdown.class);

  private final WorkQueue tasks;
  private final List<String> backends;
  private final WatchedTasks watched;
  private final ExecuteOnItsBackend executePicked;
  private final InFlightTasks inFlight;
  private final WakeUp wakeUp;
  private final ExecutorService workers;
  private final BatchExecutorProperties.Pipeline settings;
  private final Clock clock;
  private final String leaseOwner;
  private volatile boolean running = true;

  RunUntilShutdown(
      WorkQueue tasks,
      ExecuteOnItsBackend executePicked,
      InFlightTasks inFlight,
      WakeUp wakeUp,
      ExecutorService workers,
      BatchExecutorProperties.Pipeline settings,
      Clock clock,
      String leaseOwner,
      List<String> backends,
      WatchedTasks watched) {
    this.tasks = tasks;
    this.executePicked = executePicked;
    this.inFlight = inFlight;
    this.wakeUp = wakeUp;
    this.workers = workers;
    this.settings = settings;
    this.clock = clock;
    this.leaseOwner = leaseOwner;
    this.backends = List.copyOf(backends);
    this.watched = watched;
  }

  void stop() {
    running = false;
    wakeUp.signal();
  }

  @Override
  public void run() {
    while (running) {
      try {
        int free = settings.workers() - inFlight.size();
        List<Task> claimed = List.of();
        if (free > 0) {
          Instant now = clock.instant();
          claimed =
              tasks.claimDue(
                  leaseOwner, backends, free, now, now.plus(settings.leaseDuration()), watched);
          for (Task task : claimed) {
            inFlight.add(task.id());
            workers.execute(() -> work(task));
          }
        }
        if (claimed.isEmpty() || claimed.size() == free) {
          wakeUp.await(settings.pollInterval());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        log.warn("Claiming tasks failed; trying again shortly: {}", e.getMessage());
        sleepQuietly();
      }
    }
  }

  private void work(Task task) {
    try {
      executePicked.execute(task, () -> inFlight.stopRequested(task.id()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.info("Work on task {} interrupted by shutdown", task.id());
    } catch (RuntimeException e) {
      log.error(
          "Work on task {} failed; its lease will expire and it will be retried", task.id(), e);
    } finally {
      inFlight.remove(task.id());
      wakeUp.signal(); // a worker is free
    }
  }

  private void sleepQuietly() {
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }
}
