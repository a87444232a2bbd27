package io.batchexecutor.workflow;

import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.support.Ids;
import io.batchexecutor.task.IdempotencyConflictException;
import io.batchexecutor.task.InvalidTaskException;
import io.batchexecutor.task.NewTask;
import io.batchexecutor.task.ReusedTask;
import io.batchexecutor.task.SubmissionLimits;
import io.batchexecutor.task.SubmitTask;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskAccepted;
import io.batchexecutor.task.TaskSpec;
import io.batchexecutor.task.TaskStatus;
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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Makes a new run of a workflow, linked to the run it came from: the same tasks under the same
 * keys, some with a new function or arguments. A task that SUCCEEDED, whose {@linkplain
 * TaskContentHash content hash} (function, arguments, image, hashes of what it takes) is unchanged
 * and whose dependencies are all reused, is stored at once as SUCCEEDED with the earlier result
 * ({@link ReusedTask}); the rest run again. The whole run is stored at once, or nothing of it.
 */
@Service
public class RerunWorkflow {

  /**
   * A task's new function or arguments; what is left out stays as it was.
   *
   * @param function the new function (source and name)
   * @param args the new positional arguments
   * @param kwargs the new keyword arguments
   */
  public record Replacement(TaskSpec.FunctionSpec function, JsonNode args, JsonNode kwargs) {

    /** The spec a task runs with now: {@code s}, with what {@code r} (if any) replaces. */
    static TaskSpec apply(Replacement r, TaskSpec s) {
      return r == null
          ? s
          : new TaskSpec(
                  r.function() != null ? r.function() : s.function(),
                  r.args() != null ? r.args() : s.args(),
                  r.kwargs() != null ? r.kwargs() : s.kwargs(),
                  s.image(),
                  s.sweep())
              .withFiles(s.files());
    }
  }

  /**
   * A re-run as a client asks for it.
   *
   * @param earlier the run to re-run
   * @param owner the asking client (only its own workflows can be re-run)
   * @param reuse whether unchanged succeeded tasks are reused (false: every task runs)
   * @param replacements new functions or arguments by task key
   * @param idempotencyKey makes a retried re-run return the first one; optional
   */
  public record Request(
      UUID earlier,
      String owner,
      boolean reuse,
      Map<String, Replacement> replacements,
      String idempotencyKey) {}

  private final WorkflowTaskChecks checks;
  private final SubmitTask submitTask;
  private final WorkflowRepository workflows;
  private final SubmissionLimits limits;
  private final ApplicationEventPublisher events;
  private final JsonMapper json;
  private final Clock clock;
  private final WorkflowDeletionMarks marks;
  private final RerunReuse reuse;

  public RerunWorkflow(
      WorkflowTaskChecks checks,
      SubmitTask submitTask,
      WorkflowRepository workflows,
      SubmissionLimits limits,
      ApplicationEventPublisher events,
      JsonMapper json,
      Clock clock,
      WorkflowDeletionMarks marks,
      RerunReuse reuse) {
    this.checks = checks;
    this.submitTask = submitTask;
    this.workflows = workflows;
    this.limits = limits;
    this.events = events;
    this.json = json;
    this.clock = clock;
    this.marks = marks;
    this.reuse = reuse;
  }

  public SubmitWorkflow.Accepted rerun(Request request) {
    WorkflowRepository.Detail earlier =
        workflows
            .detail(request.earlier(), request.owner())
            .orElseThrow(() -> new WorkflowNotFoundException(request.earlier()));
    String key = request.idempotencyKey();
    BooleanSupplier replay = () -> workflows.hasIdempotencyKey(request.owner(), key);
    SubmissionLimits.Admission admission = limits.admit(request.owner(), replay);
    Map<String, Task> before = new LinkedHashMap<>();
    // the tasks as posted: those a returning task added (under "<its key>/") it adds again when it
    // runs again, and a reused one keeps its sub-workflow's output
    earlier.tasks().stream()
        .filter(t -> SubWorkflowKeys.depth(t.workflowKey()) == 0)
        .forEach(t -> before.put(t.workflowKey(), t));
    Map<String, Replacement> replacements =
        request.replacements() == null ? Map.of() : request.replacements();
    List<InvalidTaskException.Violation> problems = new ArrayList<>();
    if (key != null && (key.isEmpty() || key.length() > 255)) {
      problems.add(v("Idempotency-Key", "must be 1-255 characters"));
    }
    replacements.forEach(
        (k, r) -> {
          if (!before.containsKey(k)) {
            problems.add(
                v(
                    "tasks." + k,
                    "is not a task of workflow " + request.earlier() + " (no such key)"));
          } else if (r == null) {
            problems.add(v("tasks." + k, "must be a replacement of function, args or kwargs"));
          }
        });
    if (!problems.isEmpty()) {
      throw new InvalidTaskException(problems);
    }
    Map<String, NewTask> given = new LinkedHashMap<>();
    before.forEach(
        (k, t) ->
            given.put(
                k,
                new NewTask(
                    request.owner(),
                    t.name(),
                    Replacement.apply(replacements.get(k), t.spec()),
                    t.settings().clientsPart(),
                    null)));
    WorkflowDependencies checked = checks.checkTasks(given, after(before, given), problems);
    Map<String, Set<String>> dependencies = checked.all();

    Map<String, TaskSpec> specs = new LinkedHashMap<>();
    Map<String, TaskSpec> earlierSpecs = new LinkedHashMap<>();
    Map<String, Set<String>> earlierDependencies = new LinkedHashMap<>();
    before.forEach(
        (k, t) -> {
          specs.put(
              k,
              replacements.containsKey(k)
                  ? submitTask.stored(given.get(k).spec(), t.settings())
                  : t.spec());
          earlierSpecs.put(k, t.spec());
          Set<String> posted = new java.util.LinkedHashSet<>(t.dependsOn().keySet());
          posted.retainAll(before.keySet());
          earlierDependencies.put(k, posted);
        });
    TaskContentHash now = new TaskContentHash(json, specs, dependencies);
    TaskContentHash then = new TaskContentHash(json, earlierSpecs, earlierDependencies);
    Map<String, Boolean> reused = reuse.decide(request.reuse(), before, checked, now, then);
    Map<String, NewTask> runs = new LinkedHashMap<>(given);
    runs.keySet().removeIf(reused::get);
    limits.checkRuns(request.owner(), SubmissionLimits.runsOf(runs.values()), replay);
    // what runs is accepted as a submission is, with its earlier profile and resources: a client
    // no longer allowed that profile, or a backend the deployment no longer runs, is refused
    Map<String, TaskSettings> settings = checks.settings(runs);
    Map<String, Set<String>> inputs = new LinkedHashMap<>(checked.inputs());
    inputs.keySet().retainAll(runs.keySet());
    checks.checkDependenciesOnBackends(inputs, settings);

    Instant at = clock.instant();
    Workflow workflow =
        new Workflow(
            Ids.next(clock),
            request.owner(),
            earlier.summary().workflow().name(),
            at,
            null,
            request.earlier());
    List<Task> tasks = tasks(workflow, before, specs, dependencies, reused, settings);
    String hash = key == null ? null : WorkflowRequestHash.ofRerun(request, replacements, json);
    // the reused results stay stored: the earlier run cannot be marked for deletion until this
    // commits, and one marked (or gone) already is refused, with nothing stored
    int max = limits.maxUnfinishedTasks(request.owner());
    Optional<WorkflowRepository.Earlier> stored;
    try {
      stored =
          marks.whileReusing(
              request.earlier(), () -> workflows.insert(workflow, tasks, key, hash, max));
    } catch (WorkflowBeingDeletedException e) {
      if (!replay.getAsBoolean()) {
        throw e;
      }
      stored = workflows.insert(workflow, tasks, key, hash, max); // answers the first re-run
    }
    if (stored.isPresent()) {
      if (!stored.get().requestHash().equals(hash)) {
        throw new IdempotencyConflictException(key);
      }
      admission.replayed();
      return new SubmitWorkflow.Accepted(stored.get().workflow(), false);
    }
    tasks.stream()
        .filter(t -> t.status() == TaskStatus.QUEUED)
        .forEach(t -> events.publishEvent(new TaskAccepted(t.id())));
    return new SubmitWorkflow.Accepted(workflow, true);
  }

  /**
   * Each task's {@code after}: every task the earlier one depended on that its spec now ({@code
   * given}, replacements applied) does not refer to, so that the re-run waits at least as the first
   * run did, also for a task whose replacement drops a reference it had besides an {@code after}.
   */
  private Map<String, List<String>> after(Map<String, Task> before, Map<String, NewTask> given) {
    Map<String, List<String>> after = new LinkedHashMap<>();
    before.forEach(
        (k, t) -> {
          Set<String> referred =
              checks.checkTask(k, given.get(k), before.keySet(), new ArrayList<>());
          List<String> waits =
              t.dependsOn().keySet().stream()
                  .filter(before::containsKey)
                  .filter(d -> referred == null || !referred.contains(d))
                  .toList();
          if (!waits.isEmpty()) {
            after.put(k, waits);
          }
        });
    return after;
  }

  private List<Task> tasks(
      Workflow workflow,
      Map<String, Task> before,
      Map<String, TaskSpec> specs,
      Map<String, Set<String>> dependencies,
      Map<String, Boolean> reused,
      Map<String, TaskSettings> settings) {
    Map<String, UUID> ids = new LinkedHashMap<>();
    before.keySet().forEach(k -> ids.put(k, Ids.next(clock)));
    List<Task> tasks = new ArrayList<>();
    for (Map.Entry<String, Task> e : before.entrySet()) {
      String k = e.getKey();
      Task earlier = e.getValue();
      Map<String, UUID> dependsOn = new LinkedHashMap<>();
      dependencies.get(k).forEach(d -> dependsOn.put(d, ids.get(d)));
      if (reused.get(k)) {
        tasks.add(
            ReusedTask.of(
                ids.get(k),
                earlier,
                earlier.spec(),
                earlier.backend(),
                workflow.createdAt(),
                workflow.id(),
                k,
                dependsOn));
      } else {
        // only what still runs is waited for: a reused dependency has SUCCEEDED already
        boolean waits = dependencies.get(k).stream().anyMatch(d -> !reused.get(d));
        tasks.add(
            Task.acceptInWorkflow(
                ids.get(k),
                workflow.owner(),
                earlier.name(),
                specs.get(k),
                settings.get(k),
                settings.get(k).backend(),
                workflow.createdAt(),
                workflow.id(),
                k,
                dependsOn,
                waits));
      }
    }
    return tasks;
  }

  private static InvalidTaskException.Violation v(String field, String message) {
    return new InvalidTaskException.Violation(field, message);
  }
}
