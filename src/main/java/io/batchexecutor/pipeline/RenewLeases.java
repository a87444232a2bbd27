package io.batchexecutor.pipeline;

import io.batchexecutor.task.TaskQueries;
import io.batchexecutor.task.WorkQueue;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heartbeat: renews the leases of every task this instance is working on. A task whose lease
 * could not be renewed (it was reaped after a long pause) is asked to stop here, since another
 * instance may be working on it now; a task that has just ended (its final write gives the lease
 * up) is not.
 */
final class RenewLeases implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(RenewLeases.class);

  private final WorkQueue tasks;
  private final TaskQueries queries;
  private final InFlightTasks inFlight;
  private final Clock clock;
  private final Duration leaseDuration;
  private final String leaseOwner;

  RenewLeases(
      WorkQueue tasks,
      TaskQueries queries,
      InFlightTasks inFlight,
      Clock clock,
      Duration leaseDuration,
      String leaseOwner) {
    this.tasks = tasks;
    this.queries = queries;
    this.inFlight = inFlight;
    this.clock = clock;
    this.leaseDuration = leaseDuration;
    this.leaseOwner = leaseOwner;
  }

  @Override
  public void run() {
    try {
      Set<UUID> held = inFlight.ids();
      Set<UUID> notRenewed = new HashSet<>(held);
      notRenewed.removeAll(
          tasks.renewLeases(leaseOwner, held, clock.instant().plus(leaseDuration)));
      // a task that has just ended gave its lease up itself: nothing was lost
      notRenewed.removeAll(queries.endedAmong(notRenewed));
      for (UUID id : notRenewed) {
        if (inFlight.ids().contains(id)) {
          log.warn("Lost the lease on task {}; stopping work on it here", id);
          inFlight.requestStop(id);
        }
      }
    } catch (RuntimeException e) {
      log.warn("Renewing leases failed; trying again at the next beat: {}", e.getMessage());
    }
  }
}
