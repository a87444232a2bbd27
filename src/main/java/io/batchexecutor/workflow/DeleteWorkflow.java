package io.batchexecutor.workflow;

import io.batchexecutor.task.StoredTaskObjects;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskQueries;
import java.time.Clock;
import java.util.List;
import java.util.OptionalInt;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Deletes an ended workflow with all its tasks and everything they stored, objects first; only when
 * every task of it is final. Serves a client's {@code DELETE} and the expiry of old workflows.
 *
 * <p>It first marks the workflow as being deleted ({@link WorkflowDeletionMarks}), in a statement
 * of its own, and only then reads which of its objects a task elsewhere still reuses: a re-run
 * storing references to this run's results has committed them by then or is refused, and of two
 * deletions sharing objects (an earlier run and its re-run) the later to decide sees both marks and
 * deletes them, so none is orphaned.
 */
@Component
public class DeleteWorkflow {

  private final TaskQueries tasks;
  private final WorkflowRepository workflows;
  private final StoredTaskObjects objects;
  private final WorkflowDeletionMarks marks;
  private final Clock clock;

  public DeleteWorkflow(
      TaskQueries tasks,
      WorkflowRepository workflows,
      StoredTaskObjects objects,
      WorkflowDeletionMarks marks,
      Clock clock) {
    this.tasks = tasks;
    this.workflows = workflows;
    this.objects = objects;
    this.marks = marks;
    this.clock = clock;
  }

  /**
   * Deletes the workflow, if every task of it is final.
   *
   * @return how many tasks were deleted with it; empty when a task can still change
   */
  public OptionalInt delete(UUID workflow) {
    if (!marks.mark(workflow, clock.instant())) {
      return OptionalInt.empty();
    }
    List<Task> of = tasks.inWorkflow(workflow);
    objects.deleteAll(of);
    return workflows.deleteFinished(workflow) ? OptionalInt.of(of.size()) : OptionalInt.empty();
  }
}
