package io.batchexecutor.task;

import java.util.Set;

/**
 * Which of a backend's tasks are watched by a poller of its own rather than worked on by the
 * pipeline's workers: those of {@code backend} in one of {@code statuses} whose job was handed over
 * (it has a job id) and that no cancel request waits on. The backend says so; the work queue leaves
 * them to that poller.
 *
 * @param backend the backend's name as tasks record it
 * @param statuses the statuses its poller watches; empty when it watches none
 */
public record WatchedTasks(String backend, Set<TaskStatus> statuses) {

  public WatchedTasks {
    statuses = Set.copyOf(statuses);
  }

  /** A backend whose tasks are all worked on by the pipeline. */
  public static WatchedTasks none(String backend) {
    return new WatchedTasks(backend, Set.of());
  }

  String[] statusNames() {
    return statuses.stream().map(TaskStatus::name).sorted().toArray(String[]::new);
  }
}
