package io.batchexecutor.backend;

import io.batchexecutor.support.RetryDelays;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskError;
import io.batchexecutor.task.TaskStatus;
import java.time.Duration;
import java.time.Instant;

/**
 * What the pipeline does when a step finds a service unreachable: wait 1 s, 2 s, 4 s … up to {@code
 * maxDelay} (the service's one back-off, {@link RetryDelays}, with its ±20 % jitter so that many
 * waiting tasks do not retry in step) and record each wait on the task. A task whose work has not
 * been handed to the compute backend yet gives up after {@code giveUpAfter} of unbroken
 * unreachability, with a reason that says so; a task whose container or Batch job may be running
 * waits for as long as it takes, because nothing is known about its outcome.
 */
public record BackOff(Duration maxDelay, Duration giveUpAfter) {

  private static final Duration FIRST = Duration.ofSeconds(1);

  /** The back-off the pipeline settings describe. */
  public static BackOff of(io.batchexecutor.config.BatchExecutorProperties.Pipeline settings) {
    return new BackOff(settings.unreachableMaxBackoff(), settings.unreachableGiveUpAfter());
  }

  /** The delay before try {@code tries + 1}, after {@code tries} unanswered tries. */
  public Duration delayAfter(int tries) {
    return RetryDelays.doubling(FIRST.compareTo(maxDelay) < 0 ? FIRST : maxDelay, maxDelay)
        .after(tries);
  }

  /**
   * Records on {@code task} that {@code unreachable} stopped it: a wait, or the end when the task
   * has waited longer than {@code giveUpAfter} before it was launched.
   *
   * @return the delay until the task is due again, or {@code null} when it ended FAILED
   */
  public Duration apply(Task task, Unreachable unreachable, Instant now) {
    Instant since = task.unreachableSince();
    if (notLaunched(task.status()) && since != null && !now.isBefore(since.plus(giveUpAfter))) {
      String reason =
          "gave up after "
              + Durations.words(Duration.between(since, now))
              + " of retries: "
              + unreachable.description();
      task.fail(reason, new TaskError(unreachable.kind(), reason, null), null, null, now);
      return null;
    }
    Duration delay = delayAfter(task.unreachableTries() + 1);
    task.unreachable(unreachable.description(), delay, now);
    return delay;
  }

  /** Statuses in which nothing of the task runs anywhere yet. */
  static boolean notLaunched(TaskStatus status) {
    return switch (status) {
      case QUEUED, BUILDING, PUSHING, REGISTERING -> true;
      default -> false;
    };
  }

  /** Short human durations for reasons: "45 s", "3 min", "2 h". */
  static final class Durations {
    private Durations() {}

    static String words(Duration d) {
      long s = Math.max(0, d.toSeconds());
      if (s < 120) {
        return s + " s";
      }
      if (s < 7200) {
        return s / 60 + " min";
      }
      return s / 3600 + " h";
    }
  }
}
