package io.batchexecutor.backend;

import io.batchexecutor.task.Task;
import java.util.List;
import java.util.Optional;

/** {@code batch-executor.backend=none}: tasks are stored and tracked, and fail when claimed. */
public class NoComputeBackend implements ComputeBackend {

  @Override
  public String name() {
    return "none";
  }

  @Override
  public List<PipelineStep> steps() {
    return List.of(new NoComputeBackendStep());
  }

  @Override
  public void stop(Task task) {
    // nothing of the task ever runs
  }

  @Override
  public Optional<Unreachable> unreachable(Throwable failure) {
    return Optional.empty();
  }
}
