package io.batchexecutor.pipeline;

import io.batchexecutor.task.TaskNotifications;
import java.util.UUID;

/**
 * What the claim loop takes from the instance's notifications: a task submitted to any instance, or
 * a lease given back, wakes it at once; a cancel request reaches the worker on the task and wakes
 * the loop (for a task no worker holds); a reconnected listener wakes it for whatever was said
 * while it was not listening. The claim loop's slow poll covers any gap.
 */
final class ListenForWork implements TaskNotifications.Subscriber {

  private final WakeUp wakeUp;
  private final InFlightTasks inFlight;

  ListenForWork(WakeUp wakeUp, InFlightTasks inFlight) {
    this.wakeUp = wakeUp;
    this.inFlight = inFlight;
  }

  @Override
  public void connected() {
    wakeUp.signal();
  }

  @Override
  public void due() {
    wakeUp.signal();
  }

  @Override
  public void cancelRequested(UUID task) {
    inFlight.requestStop(task);
    wakeUp.signal(); // a task no worker holds is due at once: the claim loop takes it up
  }
}
