package io.batchexecutor.workflow;

import io.batchexecutor.task.CancelTask;
import io.batchexecutor.task.InvalidTaskException;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskQueries;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Service;

/**
 * Cancels a workflow: every task not yet final is cancelled as {@code POST
 * /api/v1/tasks/{id}/cancel} would (at once when it waits or is queued, else by stopping its
 * container or Batch job). Part of a workflow can be cancelled too: some of its tasks and every
 * task that depends on them, however indirectly, while its other branches go on.
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

  /**
   * Cancels the tasks {@code keys} name and every task below them, as a task's cancel does; the
   * rest of the workflow goes on, and the workflow is not marked cancelled (it ends CANCELLED when
   * nothing failed and a task was cancelled, FAILED when one failed). An unknown key is refused
   * (400), and nothing is cancelled.
   *
   * @return the keys of the tasks that were asked to stop (those that had ended are left)
   */
  public List<String> cancelTasks(UUID id, String owner, Collection<String> keys) {
    workflows.findOwned(id, owner).orElseThrow(() -> new WorkflowNotFoundException(id));
    Map<String, Task> byKey = new LinkedHashMap<>();
    tasks.inWorkflow(id).forEach(t -> byKey.put(t.workflowKey(), t));
    List<InvalidTaskException.Violation> problems = new ArrayList<>();
    if (keys.isEmpty()) {
      problems.add(new InvalidTaskException.Violation("tasks", "name at least one task key"));
    }
    for (String key : keys) {
      if (!byKey.containsKey(key)) {
        problems.add(
            new InvalidTaskException.Violation(
                "tasks", "'" + key + "' is not a task of workflow " + id));
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidTaskException(problems);
    }
    Set<String> below = below(byKey, keys);
    List<String> asked = new ArrayList<>();
    for (String key : below) {
      Task task = byKey.get(key);
      if (!task.status().isFinal()) {
        try {
          cancelTask.cancel(task.id(), owner);
          asked.add(key);
        } catch (io.batchexecutor.task.TaskStateConflictException e) {
          // it ended meanwhile
        }
      }
    }
    return asked;
  }

  /** {@code keys} and the keys of every task that depends on one of them, transitively. */
  private static Set<String> below(Map<String, Task> byKey, Collection<String> keys) {
    Set<String> found = new LinkedHashSet<>(keys);
    Deque<String> next = new ArrayDeque<>(keys);
    while (!next.isEmpty()) {
      String key = next.pop();
      for (Task t : byKey.values()) {
        if (t.dependsOn().containsKey(key) && found.add(t.workflowKey())) {
          next.push(t.workflowKey());
        }
      }
    }
    return found;
  }
}
