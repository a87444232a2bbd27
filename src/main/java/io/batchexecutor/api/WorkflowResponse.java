package io.batchexecutor.api;

import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import io.batchexecutor.workflow.Workflow;
import io.batchexecutor.workflow.WorkflowStatus;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * A workflow as the API shows it.
 *
 * @param id the workflow's id
 * @param name its name
 * @param status RUNNING until nothing more will run, then SUCCEEDED, FAILED or CANCELLED
 * @param cancelRequested whether it was cancelled
 * @param tasks each task by key: its id, status and what it depends on
 * @param outputs the results of the tasks nothing depends on, once they SUCCEEDED (a value JSON
 *     cannot carry shows as its type and repr; its pickle is at the task's {@code /result})
 * @param createdAt when it was accepted
 * @param finishedAt when its last task ended, once all have
 */
public record WorkflowResponse(
    UUID id,
    String name,
    WorkflowStatus status,
    boolean cancelRequested,
    Map<String, TaskView> tasks,
    Map<String, JsonNode> outputs,
    Instant createdAt,
    Instant finishedAt) {

  /**
   * One task of the workflow.
   *
   * @param id the task's id, for {@code /api/v1/tasks/{id}}
   * @param status where it is
   * @param statusReason why
   * @param dependsOn the keys of the tasks whose results it takes
   */
  public record TaskView(UUID id, TaskStatus status, String statusReason, List<String> dependsOn) {}

  static WorkflowResponse of(Workflow workflow, List<Task> tasks, Function<Task, JsonNode> output) {
    Map<String, TaskView> views = new LinkedHashMap<>();
    java.util.Set<String> used = new java.util.HashSet<>();
    for (Task t : tasks) {
      views.put(
          t.workflowKey(),
          new TaskView(t.id(), t.status(), t.statusReason(), List.copyOf(t.dependsOn().keySet())));
      used.addAll(t.dependsOn().keySet());
    }
    Map<String, JsonNode> outputs = new LinkedHashMap<>();
    for (Task t : tasks) {
      if (!used.contains(t.workflowKey()) && t.status() == TaskStatus.SUCCEEDED) {
        JsonNode value = output.apply(t);
        if (value != null) {
          outputs.put(t.workflowKey(), value);
        }
      }
    }
    boolean allFinal = tasks.stream().allMatch(t -> t.status().isFinal());
    Instant finished =
        allFinal
            ? tasks.stream()
                .map(Task::finishedAt)
                .filter(Objects::nonNull)
                .max(Comparator.naturalOrder())
                .orElse(null)
            : null;
    return new WorkflowResponse(
        workflow.id(),
        workflow.name(),
        WorkflowStatus.of(workflow, tasks),
        workflow.cancelRequested(),
        views,
        outputs,
        workflow.createdAt(),
        finished);
  }
}
