package io.batchexecutor.task;

import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * What becomes of a sub-workflow a task's function returned (the runner's {@code "workflow"}
 * result), the same on every backend: checked as a posted workflow is, then either its tasks join
 * the running workflow under the task's key and the task WAITS for them ({@link
 * Task#returnedSubWorkflow}), or the task FAILS naming what is wrong. Only the task is changed
 * here; the caller writes it as any other change, and its sub-workflow's tasks are stored with it.
 */
public interface SubWorkflows {

  /** The most tasks a workflow has, the tasks its sub-workflows added included. */
  int MAX_WORKFLOW_TASKS = 1000;

  /** Applies {@code workflow}, which {@code task}'s function returned, to {@code task}. */
  void returned(Task task, JsonNode workflow, Integer exitCode, Instant at);

  /** Takes no sub-workflow: the task fails, saying so (for parts used without a workflow). */
  SubWorkflows NONE =
      (task, workflow, exitCode, at) -> {
        String reason = "the function returned a sub-workflow, which is not taken here";
        task.fail(reason, new TaskError("InvalidSubWorkflow", reason, null), exitCode, null, at);
      };
}
