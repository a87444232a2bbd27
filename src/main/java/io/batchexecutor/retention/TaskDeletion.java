package io.batchexecutor.retention;

import io.batchexecutor.backend.TaskObjects;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskRepository;
import io.batchexecutor.workflow.WorkflowRepository;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Deletes ended tasks and workflows with everything they stored: a task's objects (result, pickle,
 * logs, build log, sweep runs) go first, then its rows with its history; a failure on the way
 * leaves the rows, so that the deletion can be tried again. Only final tasks are ever deleted.
 */
@Component
public class TaskDeletion {

  private final TaskRepository tasks;
  private final WorkflowRepository workflows;
  private final ObjectStores stores;

  public TaskDeletion(TaskRepository tasks, WorkflowRepository workflows, ObjectStores stores) {
    this.tasks = tasks;
    this.workflows = workflows;
    this.stores = stores;
  }

  /**
   * Deletes these tasks, each of no workflow and final.
   *
   * @return how many were deleted
   */
  public int deleteTasks(Collection<Task> alone) {
    alone.forEach(this::deleteObjects);
    return tasks.deleteFinished(alone.stream().map(Task::id).toList());
  }

  /**
   * Deletes a workflow with all its tasks, if every one of them is final.
   *
   * @return how many tasks were deleted with it; empty when a task can still change
   */
  public OptionalInt deleteWorkflow(UUID workflow) {
    List<Task> of = tasks.inWorkflow(workflow);
    if (of.stream().anyMatch(t -> !t.status().isFinal())) {
      return OptionalInt.empty();
    }
    of.forEach(this::deleteObjects);
    return workflows.deleteFinished(workflow) ? OptionalInt.of(of.size()) : OptionalInt.empty();
  }

  /** Everything stored under the task's prefix, wherever its pointers say it is. */
  private void deleteObjects(Task task) {
    String prefix = TaskObjects.key(task, "");
    Set<String> under = new LinkedHashSet<>();
    String located = stores.primary().locate(task.settings().s3BucketName(), prefix).toString();
    under.add(located.endsWith("/") ? located : located + "/");
    for (String pointer : new String[] {task.resultPointer(), task.logsPointer()}) {
      if (pointer != null && pointer.contains(prefix)) {
        under.add(pointer.substring(0, pointer.indexOf(prefix) + prefix.length()));
      }
    }
    under.forEach(stores::deleteUnder);
  }
}
