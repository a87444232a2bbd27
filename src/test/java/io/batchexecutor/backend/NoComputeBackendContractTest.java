package io.batchexecutor.backend;

import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.task.Task;
import java.util.List;
import java.util.Optional;

/** {@code batch-executor.backend=none} keeps the backend contract. */
class NoComputeBackendContractTest extends ComputeBackendContract {

  private final NoComputeBackend backend = new NoComputeBackend();

  @Override
  protected ComputeBackend backend() {
    return backend;
  }

  @Override
  protected BatchExecutorProperties.Backend selectedBy() {
    return BatchExecutorProperties.Backend.NONE;
  }

  @Override
  protected List<Task> tasksOnTheirWay() {
    return List.of(aTask()); // its one step fails a task as soon as it is claimed
  }

  @Override
  protected Optional<RuntimeException> failureWhenItsServiceIsDown() {
    return Optional.empty();
  }

  @Override
  protected Optional<Task> aTaskWhoseRunIsGone() {
    return Optional.empty();
  }
}
