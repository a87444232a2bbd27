package io.batchexecutor.workflow;

import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.support.Ids;
import io.batchexecutor.task.IdempotencyConflictException;
import io.batchexecutor.task.InvalidTaskException;
import io.batchexecutor.task.NewTask;
import io.batchexecutor.task.SubmissionLimits;
import io.batchexecutor.task.SubmitTask;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskAccepted;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * Accepts a workflow: checks the workflow as a whole, then its tasks ({@link WorkflowTaskChecks}:
 * each as {@code POST /api/v1/tasks} would, and that the references form a DAG of existing keys),
 * and stores the workflow with all its tasks at once. A task with dependencies WAITS for them, on
 * every backend: it is queued once they all succeeded and their results (and the digests its runner
 * checks them against) were collected.
 */
@Service
public class SubmitWorkflow {

  /** The most tasks one workflow may have. */
  public static final int MAX_TASKS = io.batchexecutor.task.SubWorkflows.MAX_WORKFLOW_TASKS;

  private final SubmitTask submitTask;
  private final WorkflowTaskChecks checks;
  private final WorkflowRepository workflows;
  private final ApplicationEventPublisher events;
  private final JsonMapper json;
  private final Clock clock;
  private final SubmissionLimits limits;

  public SubmitWorkflow(
      SubmitTask submitTask,
      WorkflowTaskChecks checks,
      WorkflowRepository workflows,
      ApplicationEventPublisher events,
      JsonMapper json,
      Clock clock,
      SubmissionLimits limits) {
    this.limits = limits;
    this.json = json;
    this.submitTask = submitTask;
    this.checks = checks;
    this.workflows = workflows;
    this.events = events;
    this.clock = clock;
  }

  /**
   * The stored workflow.
   *
   * @param created false when an earlier submission with the same Idempotency-Key is returned
   */
  public record Accepted(Workflow workflow, boolean created) {}

  public Accepted submit(NewWorkflow request) {
    BooleanSupplier replay =
        () -> workflows.hasIdempotencyKey(request.owner(), request.idempotencyKey());
    SubmissionLimits.Admission admission = limits.admit(request.owner(), replay);
    List<InvalidTaskException.Violation> problems = new ArrayList<>();
    Map<String, NewTask> given = request.tasks() == null ? Map.of() : request.tasks();
    checkWorkflow(request, given, problems);
    WorkflowDependencies dependencies = checks.checkTasks(given, request.after(), problems);
    limits.checkRuns(request.owner(), SubmissionLimits.runsOf(given.values()), replay);
    Map<String, TaskSettings> settings = checks.settings(given);
    checks.checkDependenciesOnBackends(dependencies.inputs(), settings);

    Instant now = clock.instant();
    Workflow workflow = new Workflow(Ids.next(clock), request.owner(), request.name(), now, null);
    List<Task> tasks = accept(request, workflow, dependencies.all(), settings);
    String hash =
        request.idempotencyKey() == null
            ? null
            : WorkflowRequestHash.of(request, submitTask::normalised, json);
    Optional<WorkflowRepository.Earlier> earlier =
        workflows.insert(
            workflow,
            tasks,
            request.idempotencyKey(),
            hash,
            limits.maxUnfinishedTasks(request.owner()));
    if (earlier.isPresent()) {
      if (!earlier.get().requestHash().equals(hash)) {
        throw new IdempotencyConflictException(request.idempotencyKey());
      }
      admission.replayed();
      return new Accepted(earlier.get().workflow(), false);
    }
    tasks.stream()
        .filter(t -> t.dependsOn().isEmpty())
        .forEach(t -> events.publishEvent(new TaskAccepted(t.id())));
    return new Accepted(workflow, true);
  }

  /**
   * What is wrong with the workflow as a whole: its name, its number of tasks and its
   * Idempotency-Key. Too many tasks is refused at once, before any task is looked at.
   */
  private static void checkWorkflow(
      NewWorkflow request,
      Map<String, NewTask> given,
      List<InvalidTaskException.Violation> problems) {
    if (request.name() != null
        && (request.name().length() > 256
            || request.name().chars().anyMatch(Character::isISOControl))) {
      problems.add(v("name", "must be at most 256 characters without control characters"));
    }
    if (given.isEmpty()) {
      problems.add(v("tasks", "a workflow needs at least one task"));
    }
    if (request.idempotencyKey() != null
        && (request.idempotencyKey().isEmpty() || request.idempotencyKey().length() > 255)) {
      problems.add(v("Idempotency-Key", "must be 1-255 characters"));
    }
    if (given.size() > MAX_TASKS) {
      problems.add(
          v("tasks", "a workflow has at most " + MAX_TASKS + " tasks, not " + given.size()));
      throw new InvalidTaskException(problems);
    }
  }

  /**
   * The workflow's tasks, accepted: each with an id of its own, taking the results of the tasks it
   * refers to. One with dependencies WAITS for them.
   */
  private List<Task> accept(
      NewWorkflow request,
      Workflow workflow,
      Map<String, Set<String>> dependencies,
      Map<String, TaskSettings> settings) {
    Map<String, UUID> ids = new LinkedHashMap<>();
    request.tasks().keySet().forEach(key -> ids.put(key, Ids.next(clock)));
    List<Task> tasks = new ArrayList<>();
    for (Map.Entry<String, NewTask> entry : request.tasks().entrySet()) {
      String key = entry.getKey();
      NewTask task = entry.getValue();
      Map<String, UUID> dependsOn = new LinkedHashMap<>();
      dependencies.get(key).forEach(d -> dependsOn.put(d, ids.get(d)));
      boolean waits = !dependsOn.isEmpty();
      tasks.add(
          Task.acceptInWorkflow(
              ids.get(key),
              request.owner(),
              task.name() != null ? task.name() : key,
              submitTask.stored(task.spec(), settings.get(key)),
              settings.get(key),
              settings.get(key).backend(),
              workflow.createdAt(),
              workflow.id(),
              key,
              dependsOn,
              waits));
    }
    return tasks;
  }

  private static InvalidTaskException.Violation v(String field, String message) {
    return new InvalidTaskException.Violation(field, message);
  }
}
