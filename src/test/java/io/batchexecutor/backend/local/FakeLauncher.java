package io.batchexecutor.backend.local;

import com.github.dockerjava.api.command.InspectContainerResponse;
import io.batchexecutor.task.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A launcher that launches nothing and remembers what it was asked to launch. */
class FakeLauncher implements AttemptLauncher {

  /** A launch: the attempt, the sweep's run ({@code null}: the task's one run), the container. */
  record Launch(int attempt, Integer index, String containerId) {}

  final List<Launch> launches = new ArrayList<>();

  @Override
  public String launch(Task task, int attempt) {
    return launched(attempt, null);
  }

  @Override
  public String create(Task task, int attempt, int index) {
    return launched(attempt, index);
  }

  @Override
  public Optional<InspectContainerResponse> startIfCreated(
      Task task, InspectContainerResponse inspected) {
    throw new UnsupportedOperationException("no containers here");
  }

  private String launched(int attempt, Integer index) {
    String id = String.format("%064x", launches.size() + 1);
    launches.add(new Launch(attempt, index, id));
    return id;
  }
}
