package io.batchexecutor.workflow;

import io.batchexecutor.task.CancelTask;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskQueries;
import java.time.Clock;
import java.util.UUID;
import org.springframework.stereotype.Service;

/**
 * Cancels a workflow: every task not yet final is cancelled as {@code POST
 * /api/v1/tasks/{id}/cancel} would (at once when it waits or is queued, else by stopping its
 * container or Batch job).
 */
@Service
public class CancelWorkflow {

  private final WorkflowRepository workflows;
  private final TaskQueries tasks;
  private final CancelTask cancelTask;
  private final Clock clock;

  public CancelWorkflow(
      WorkflowRepository workflows, TaskQueries tasks, CancelTask cancelTask, Clock clock) {
    this.workflows = workflows;
    this.tasks = tasks;
    this.cancelTask = cancelTask;
    this.clock = clock;
  }

  public Workflow cancel(UUID id, String owner) {
    Workflow workflow =
        workflows.findOwned(id, owner).orElseThrow(() -> new WorkflowNotFoundException(id));
    workflows.markCancelRequested(id, clock.instant());
    for (Task task : tasks.inWorkflow(id)) {
      if (!task.status().isFinal()) {
        try {
          cancelTask.cancel(task.id(), owner);
        } catch (io.batchexecutor.task.TaskStateConflictException e) {
          // it ended meanwhile
        }
      }
    }
    return workflows.findOwned(id, owner).orElse(workflow);
  }
}
