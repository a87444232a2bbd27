package io.batchexecutor.pipeline;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** The tasks this instance is working on, and which of them were asked to stop. */
final class InFlightTasks {

  private final Set<UUID> running = ConcurrentHashMap.newKeySet();
  private final Set<UUID> stopRequested = ConcurrentHashMap.newKeySet();

  boolean add(UUID id) {
    stopRequested.remove(id);
    return running.add(id);
  }

  void remove(UUID id) {
    running.remove(id);
    stopRequested.remove(id);
  }

  Set<UUID> ids() {
    return Set.copyOf(running);
  }

  int size() {
    return running.size();
  }

  /** Asks the task to stop, if this instance works on it. */
  void requestStop(UUID id) {
    if (running.contains(id)) {
      stopRequested.add(id);
    }
  }

  boolean stopRequested(UUID id) {
    return stopRequested.contains(id);
  }
}
