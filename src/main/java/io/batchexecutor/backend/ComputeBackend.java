package io.batchexecutor.backend;

import io.batchexecutor.task.BackendTerms;
import io.batchexecutor.task.Task;
import java.util.List;
import java.util.Optional;

/**
 * Where tasks run: the local Docker engine or AWS Batch, each of the deployment's backends one.
 * Every task records its backend; the pipeline hands it to that backend's steps. A backend is the
 * list of steps that take a task from QUEUED to a final status, and the way to stop whatever of a
 * task is running; its terms for acceptance ({@link BackendTerms}) and the reading of its tasks'
 * live output ({@link TaskLogs}) are interfaces of their own.
 */
public interface ComputeBackend extends BackendTerms, TaskLogs {

  /**
   * The steps, in order: the first that {@link PipelineStep#handles} a task works on it. Together
   * they cover every unfinished status.
   */
  List<PipelineStep> steps();

  /**
   * Makes sure nothing of {@code task} runs any more (stops its container, terminates its Batch
   * job). Called for a cancel request; the pipeline records CANCELLED afterwards.
   */
  void stop(Task task) throws InterruptedException;

  /**
   * Whether {@code failure} means that a service this backend needs did not answer (rather than
   * that the task's work failed); such failures are retried after a back-off, never recorded as the
   * task's outcome.
   */
  Optional<Unreachable> unreachable(Throwable failure);

  /**
   * {@code failure} in one readable line, for the reason of a task it ends: its message with its
   * line breaks made spaces, or its kind when it has none.
   */
  default String describe(Throwable failure) {
    String message = failure.getMessage();
    if (message == null || message.isBlank()) {
      return failure.getClass().getSimpleName();
    }
    return message.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
