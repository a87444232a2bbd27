package io.batchexecutor.pipeline;

import io.batchexecutor.task.WorkQueue;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Returns tasks whose lease expired (their instance died or hung) to the queue. */
final class ReapExpiredLeases implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(ReapExpiredLeases.class);

  private final WorkQueue tasks;
  private final Clock clock;
  private final WakeUp wakeUp;

  ReapExpiredLeases(WorkQueue tasks, Clock clock, WakeUp wakeUp) {
    this.tasks = tasks;
    this.clock = clock;
    this.wakeUp = wakeUp;
  }

  @Override
  public void run() {
    try {
      var reaped = tasks.reapExpiredLeases(clock.instant());
      for (var r : reaped) {
        log.warn(
            "Lease of {} on task {} ({}) expired; back in the queue",
            r.previousOwner(),
            r.id(),
            r.status());
      }
      if (!reaped.isEmpty()) {
        wakeUp.signal();
      }
    } catch (RuntimeException e) {
      log.warn("Reaping expired leases failed; trying again later: {}", e.getMessage());
    }
  }
}
