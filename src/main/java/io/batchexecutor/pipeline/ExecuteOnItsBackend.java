package io.batchexecutor.pipeline;

import io.batchexecutor.task.Task;
import io.batchexecutor.task.WorkQueue;
import java.time.Clock;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a claimed task to the steps of the backend it records. The claim takes only tasks of the
 * backends this instance runs; one of another backend (which the claim should not have returned) is
 * given back at once for an instance that runs it.
 */
final class ExecuteOnItsBackend {

  private static final Logger log = LoggerFactory.getLogger(ExecuteOnItsBackend.class);

  private final Map<String, ExecutePicked> byBackend;
  private final WorkQueue queue;
  private final Clock clock;
  private final String leaseOwner;

  ExecuteOnItsBackend(
      Map<String, ExecutePicked> byBackend, WorkQueue queue, Clock clock, String leaseOwner) {
    this.byBackend = Map.copyOf(byBackend);
    this.queue = queue;
    this.clock = clock;
    this.leaseOwner = leaseOwner;
  }

  void execute(Task claimed, BooleanSupplier stopRequested) throws InterruptedException {
    ExecutePicked steps = byBackend.get(claimed.backend());
    if (steps == null) {
      log.warn(
          "Task {} runs on backend {}, which this instance does not run ({}); given back",
          claimed.id(),
          claimed.backend(),
          byBackend.keySet());
      queue.release(claimed.id(), leaseOwner, clock.instant());
      return;
    }
    steps.execute(claimed, stopRequested);
  }
}
