package io.batchexecutor.backend.local;

import com.github.dockerjava.api.command.InspectContainerResponse;
import io.batchexecutor.backend.TaskInputs;
import io.batchexecutor.task.Task;
import java.util.Optional;

/** Launches attempts as containers on the local engine, through {@link LocalContainers}. */
final class ContainerLauncher implements AttemptLauncher {

  private final LocalContainers containers;

  ContainerLauncher(LocalContainers containers) {
    this.containers = containers;
  }

  @Override
  public String launch(Task task, int attempt) {
    LocalContainers.Created container = containers.createOrFind(task, attempt);
    if (attempt > 1) {
      // after an attempt that ended without a result: the volume written as for a found one
      container = new LocalContainers.Created(container.id(), false);
    }
    try {
      // one found running or ended is handed back as is
      containers.startIfNeverStarted(task, container);
    } catch (TaskInputs.UploadGoneException e) {
      containers.remove(container.id()); // never started: nothing of the task ran in it
      throw e;
    }
    return container.id();
  }

  @Override
  public String create(Task task, int attempt, int index) {
    return containers.createOrFind(task, attempt, index);
  }

  @Override
  public Optional<InspectContainerResponse> startIfCreated(
      Task task, InspectContainerResponse inspected) {
    if (!neverStarted(inspected)) {
      return Optional.of(inspected);
    }
    String id = inspected.getId();
    containers.startIfNeverStarted(task, id);
    return containers.inspect(id);
  }

  /** Whether {@code container} (as inspected) is {@code created} and has never run. */
  static boolean neverStarted(InspectContainerResponse container) {
    InspectContainerResponse.ContainerState state = container.getState();
    String startedAt = state == null ? null : state.getStartedAt();
    return state != null
        && "created".equals(state.getStatus())
        && (startedAt == null || startedAt.isEmpty() || startedAt.startsWith("0001-01-01"));
  }
}
