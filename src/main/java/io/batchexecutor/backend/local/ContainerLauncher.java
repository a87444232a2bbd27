package io.batchexecutor.backend.local;

import com.github.dockerjava.api.command.InspectContainerResponse;
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
    String id = containers.createOrFind(task, attempt);
    containers.start(task, id);
    return id;
  }

  @Override
  public String create(Task task, int attempt, int index) {
    return containers.createOrFind(task, attempt, index);
  }

  @Override
  public Optional<InspectContainerResponse> startIfCreated(
      Task task, InspectContainerResponse inspected) {
    if (!"created".equals(inspected.getState().getStatus())) {
      return Optional.of(inspected);
    }
    String id = inspected.getId();
    containers.start(task, id);
    return containers.inspect(id);
  }
}
