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
import io.batchexecutor.task.TaskReferences;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * Accepts a workflow: checks every task as {@code POST /api/v1/tasks} would, checks that the
 * references form a DAG of existing keys, and stores the workflow with all its tasks at once. A
 * task with dependencies WAITS for them, on every backend: it is queued once they all succeeded and
 * their results (and the digests its runner checks them against) were collected.
 */
@Service
public class SubmitWorkflow {

  /** The most tasks one workflow may have. */
  public static final int MAX_TASKS = io.batchexecutor.task.SubWorkflows.MAX_WORKFLOW_TASKS;

  static final Pattern KEY = Pattern.compile("^[A-Za-z0-9_][A-Za-z0-9_.\\-]{0,99}$");

  private final SubmitTask submitTask;
  private final WorkflowRepository workflows;
  private final ApplicationEventPublisher events;
  private final JsonMapper json;
  private final Clock clock;
  private final SubmissionLimits limits;

  public SubmitWorkflow(
      SubmitTask submitTask,
      WorkflowRepository workflows,
      ApplicationEventPublisher events,
      JsonMapper json,
      Clock clock,
      SubmissionLimits limits) {
    this.limits = limits;
    this.json = json;
    this.submitTask = submitTask;
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
    WorkflowDependencies dependencies = checkTasks(given, request.after(), problems);
    limits.checkRuns(request.owner(), SubmissionLimits.runsOf(given.values()), replay);
    Map<String, TaskSettings> settings = settings(given);
    checkDependenciesOnBackends(dependencies.inputs(), settings);

    Instant now = clock.instant();
    Workflow workflow = new Workflow(Ids.next(clock), request.owner(), request.name(), now, null);
    List<Task> tasks = accept(request, workflow, dependencies.all(), settings);
    String hash = request.idempotencyKey() == null ? null : hash(request);
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
   * The keys each task depends on (refers to, or waits for by its {@code after}), once every task
   * was checked as {@code POST /api/v1/tasks} would check it, with its references to other keys,
   * and the dependencies form a DAG; refused (400) with all of {@code problems} (found before, and
   * here) otherwise.
   */
  WorkflowDependencies checkTasks(
      Map<String, NewTask> given,
      Map<String, List<String>> after,
      List<InvalidTaskException.Violation> problems) {
    Map<String, Set<String>> dependencies = new LinkedHashMap<>();
    Map<String, Set<String>> afterOnly = new LinkedHashMap<>();
    for (Map.Entry<String, NewTask> entry : given.entrySet()) {
      Set<String> needs = checkTask(entry.getKey(), entry.getValue(), given.keySet(), problems);
      if (needs != null) {
        Set<String> waits = WorkflowAfter.check(entry.getKey(), after, given.keySet(), problems);
        waits.removeAll(needs); // a task both referred to and waited for is an input
        needs.addAll(waits);
        if (!waits.isEmpty()) {
          afterOnly.put(entry.getKey(), waits);
        }
        dependencies.put(entry.getKey(), needs);
      }
    }
    if (problems.isEmpty()) {
      checkAcyclic(dependencies, afterOnly, problems);
    }
    if (!problems.isEmpty()) {
      throw new InvalidTaskException(problems);
    }
    return new WorkflowDependencies(dependencies, WorkflowAfter.inputs(dependencies, afterOnly));
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
   * Adds what is wrong with task {@code key} to {@code problems}, as {@code POST /api/v1/tasks}
   * would find it plus its references to other tasks of the workflow ({@code keys}); answers the
   * keys it refers to, or null when it is no task at all.
   */
  Set<String> checkTask(
      String key, NewTask task, Set<String> keys, List<InvalidTaskException.Violation> problems) {
    String at = "tasks." + key;
    if (key.contains("/")) {
      problems.add(
          v(at, "'/' is reserved in task keys: it joins a sub-workflow's keys to its task's"));
    } else if (!KEY.matcher(key).matches()) {
      problems.add(
          v(at, "a task key is 1-100 letters, digits, '_', '.' or '-', not starting with . or -"));
    }
    if (task == null) {
      problems.add(v(at, "must be a task"));
      return null;
    }
    for (InvalidTaskException.Violation p : submitTask.problems(task)) {
      problems.add(p.under(at + "."));
    }
    List<InvalidTaskException.Violation> malformed = new ArrayList<>();
    Set<String> needs = new LinkedHashSet<>();
    for (TaskReferences.Reference r :
        TaskReferences.in(task.spec().args(), task.spec().kwargs(), malformed)) {
      if (!keys.contains(r.key())) {
        problems.add(
            v(
                at + "." + r.path(),
                "refers to '" + r.key() + "', which is not a task of this workflow"));
      } else {
        needs.add(r.key());
      }
    }
    malformed.forEach(p -> problems.add(v(at + "." + p.field(), p.message())));
    return needs;
  }

  /**
   * Adds the cycle to {@code problems} if the tasks depend on each other in one: under {@code
   * tasks}, or under {@code tasks.<key>.after} when one of its links is a task's {@code after}.
   */
  static void checkAcyclic(
      Map<String, Set<String>> dependencies,
      Map<String, Set<String>> afterOnly,
      List<InvalidTaskException.Violation> problems) {
    Optional<List<String>> cycle = new WorkflowGraph(dependencies).cycle();
    cycle.ifPresent(
        keys ->
            problems.add(
                v(
                    WorkflowAfter.cycleField(keys, afterOnly),
                    "the tasks depend on each other in a cycle: "
                        + String.join(" → ", keys)
                        + " (each feeds the next, or is waited for by it)")));
  }

  /**
   * What each backend refuses of the dependencies of the workflow's tasks that run on it (a task's
   * backend is its own: a workflow may mix them).
   */
  void checkDependenciesOnBackends(
      Map<String, Set<String>> dependencies, Map<String, TaskSettings> settings) {
    Map<String, Map<String, Set<String>>> byBackend = new LinkedHashMap<>();
    dependencies.forEach(
        (key, needs) ->
            byBackend
                .computeIfAbsent(settings.get(key).backend(), b -> new LinkedHashMap<>())
                .put(key, needs));
    List<InvalidTaskException.Violation> problems = new ArrayList<>();
    byBackend.forEach(
        (backend, own) -> problems.addAll(submitTask.termsOf(backend).refusedDependencies(own)));
    if (!problems.isEmpty()) {
      throw new InvalidTaskException(problems);
    }
  }

  /** The settings of each task, its executor's over the defaults; refused if any is invalid. */
  Map<String, TaskSettings> settings(Map<String, NewTask> given) {
    List<InvalidTaskException.Violation> problems = new ArrayList<>();
    Map<String, TaskSettings> settings = new LinkedHashMap<>();
    for (Map.Entry<String, NewTask> entry : given.entrySet()) {
      try {
        settings.put(entry.getKey(), submitTask.settingsFor(entry.getValue()));
      } catch (InvalidTaskException e) {
        e.violations().forEach(p -> problems.add(p.under("tasks." + entry.getKey() + ".")));
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidTaskException(problems);
    }
    return settings;
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

  /** What identifies a submission for its Idempotency-Key: every task as it was given. */
  private String hash(NewWorkflow request) {
    Map<String, Object> identity = new LinkedHashMap<>();
    identity.put("name", request.name());
    Map<String, Object> tasks = new LinkedHashMap<>();
    request
        .tasks()
        .forEach(
            (key, t) -> {
              Map<String, Object> task = new LinkedHashMap<>();
              task.put("name", t.name());
              task.put("spec", submitTask.normalised(t.spec()));
              task.put("executor", t.executor());
              if (request.after().containsKey(key)) {
                task.put("after", request.after().get(key));
              }
              tasks.put(key, task);
            });
    identity.put("tasks", tasks);
    try {
      return java.util.HexFormat.of()
          .formatHex(
              java.security.MessageDigest.getInstance("SHA-256")
                  .digest(json.writeValueAsBytes(identity)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static InvalidTaskException.Violation v(String field, String message) {
    return new InvalidTaskException.Violation(field, message);
  }
}
