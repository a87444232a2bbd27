package io.batchexecutor.backend.local;

import com.github.dockerjava.api.model.Container;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskQueries;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what is left of tasks that ended. A task's container is removed as soon as its outputs
 * are stored (a successful one's in the background); an instance stopped in that gap leaves an
 * exited container behind. Only containers that no longer run, of tasks this database records as
 * final, are removed; a container of another database's task is never touched, and one of an ended
 * task that still runs is reported, not removed.
 */
class RemoveLeftoverContainers implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(RemoveLeftoverContainers.class);

  private final LocalContainers containers;
  private final TaskQueries tasks;

  RemoveLeftoverContainers(LocalContainers containers, TaskQueries tasks) {
    this.containers = containers;
    this.tasks = tasks;
  }

  @Override
  public void run() {
    try {
      int removed = removeLeftovers();
      if (removed > 0) {
        log.info("Removed {} containers of tasks that had ended", removed);
      }
    } catch (RuntimeException e) {
      log.debug("Could not look for containers of ended tasks: {}", e.getMessage());
    }
  }

  /** The number of containers removed. */
  int removeLeftovers() {
    Map<UUID, List<Container>> byTask = new HashMap<>();
    for (Container c : containers.ofAnyTask()) {
      try {
        UUID task = UUID.fromString(c.getLabels().get(LocalContainers.TASK_LABEL));
        byTask.computeIfAbsent(task, t -> new ArrayList<>()).add(c);
      } catch (IllegalArgumentException e) {
        // not one of ours after all
      }
    }
    if (byTask.isEmpty()) {
      return 0;
    }
    int removed = 0;
    for (Task task : tasks.findAll(byTask.keySet())) {
      if (!task.status().isFinal()) {
        continue;
      }
      for (Container c : byTask.get(task.id())) {
        if ("running".equals(c.getState()) || "restarting".equals(c.getState())) {
          log.warn(
              "Container {} of task {} still runs although the task is {}",
              c.getId().substring(0, 12),
              task.id(),
              task.status());
        } else {
          containers.remove(c.getId());
          removed++;
        }
      }
    }
    return removed;
  }
}
