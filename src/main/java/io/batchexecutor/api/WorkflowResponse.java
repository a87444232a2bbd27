package io.batchexecutor.api;

import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import io.batchexecutor.workflow.Workflow;
import io.batchexecutor.workflow.WorkflowRepository;
import io.batchexecutor.workflow.WorkflowStatus;
import io.batchexecutor.workflow.WorkflowSummary;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * @param taskCounts how many of its tasks are in each status
 * @param tasks each task by key: its id, name, status and what it depends on
 * @param outputs the results of the tasks nothing depends on, once they SUCCEEDED (a value JSON
 *     cannot carry shows as its type and repr; its pickle is at the task's {@code /result})
 * @param createdAt when it was accepted
 * @param finishedAt when its last task ended, once all have
 * @param rerunOf the workflow this one re-runs; null when it was submitted as such
 * @param reruns the re-runs made of this workflow, oldest first
 */
public record WorkflowResponse(
    UUID id,
    String name,
    WorkflowStatus status,
    boolean cancelRequested,
    Map<TaskStatus, Long> taskCounts,
    Map<String, TaskView> tasks,
    Map<String, JsonNode> outputs,
    Instant createdAt,
    Instant finishedAt,
    UUID rerunOf,
    List<UUID> reruns) {

  /**
   * One task of the workflow.
   *
   * @param id the task's id, for {@code /api/v1/tasks/{id}}
   * @param name the task's name, as submitted
   * @param status where it is
   * @param statusReason why
   * @param dependsOn the keys of the tasks whose results it takes
   * @param reusedFrom in a re-run, the task that computed the result this one reused without
   *     running; null when it ran
   */
  @Schema(name = "WorkflowTask", description = "One task of a workflow")
  public record TaskView(
      UUID id,
      String name,
      TaskStatus status,
      String statusReason,
      List<String> dependsOn,
      UUID reusedFrom) {}

  static WorkflowResponse of(WorkflowRepository.Detail detail, Function<Task, JsonNode> output) {
    Map<String, TaskView> views = new LinkedHashMap<>();
    Set<String> used = new HashSet<>();
    for (Task t : detail.tasks()) {
      views.put(
          t.workflowKey(),
          new TaskView(
              t.id(),
              t.name(),
              t.status(),
              t.statusReason(),
              List.copyOf(t.dependsOn().keySet()),
              t.reusedFrom()));
      used.addAll(t.dependsOn().keySet());
    }
    Map<String, JsonNode> outputs = new LinkedHashMap<>();
    for (Task t : detail.tasks()) {
      if (!used.contains(t.workflowKey()) && t.status() == TaskStatus.SUCCEEDED) {
        JsonNode value = output.apply(t);
        if (value != null) {
          outputs.put(t.workflowKey(), value);
        }
      }
    }
    WorkflowSummary summary = detail.summary();
    Workflow workflow = summary.workflow();
    return new WorkflowResponse(
        workflow.id(),
        workflow.name(),
        summary.status(),
        workflow.cancelRequested(),
        summary.taskCounts(),
        views,
        outputs,
        workflow.createdAt(),
        summary.finishedAt(),
        workflow.rerunOf(),
        detail.reruns());
  }
}
