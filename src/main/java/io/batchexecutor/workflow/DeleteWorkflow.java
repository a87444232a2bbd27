package io.batchexecutor.workflow;

import io.batchexecutor.task.StoredTaskObjects;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskQueries;
import java.util.List;
import java.util.OptionalInt;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Deletes an ended workflow with all its tasks and everything they stored, objects first; only when
 * every task of it is final. Serves a client's {@code DELETE} and the expiry of old workflows.
 */
@Component
public class DeleteWorkflow {

  private final TaskQueries tasks;
  private final WorkflowRepository workflows;
  private final StoredTaskObjects objects;

  public DeleteWorkflow(
      TaskQueries tasks, WorkflowRepository workflows, StoredTaskObjects objects) {
    this.tasks = tasks;
    this.workflows = workflows;
    this.objects = objects;
  }

  /**
   * Deletes the workflow, if every task of it is final.
   *
   * @return how many tasks were deleted with it; empty when a task can still change
   */
  public OptionalInt delete(UUID workflow) {
    List<Task> of = tasks.inWorkflow(workflow);
    if (of.stream().anyMatch(t -> !t.status().isFinal())) {
      return OptionalInt.empty();
    }
    objects.deleteAll(of);
    return workflows.deleteFinished(workflow) ? OptionalInt.of(of.size()) : OptionalInt.empty();
  }
}
