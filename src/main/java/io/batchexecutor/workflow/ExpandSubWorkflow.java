package io.batchexecutor.workflow;

import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.config.WorkflowProperties;
import io.batchexecutor.support.Ids;
import io.batchexecutor.task.InvalidTaskException;
import io.batchexecutor.task.NewTask;
import io.batchexecutor.task.SubWorkflows;
import io.batchexecutor.task.SubmissionLimits;
import io.batchexecutor.task.SubmissionRefusedException;
import io.batchexecutor.task.SubmitTask;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskError;
import io.batchexecutor.task.TaskQueries;
import io.batchexecutor.task.TaskReferences;
import io.batchexecutor.task.TaskSpec;
import io.batchexecutor.task.UnfinishedTasks;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A sub-workflow a task returned, checked exactly as {@code POST /api/v1/workflows} checks a posted
 * one (the same per-task checks, execution profiles, references, cycle and run limits) plus what
 * only a sub-workflow has: its {@code output}, its depth ({@code
 * batch-executor.workflows.max-sub-workflow-depth}) and the per-workflow limit of tasks counted
 * over the whole running workflow; its tasks count against the client's unfinished tasks. Valid,
 * its tasks get keys under the returning task's ({@code train/0}), their references are rewritten
 * to those keys, and the returning task WAITS for them; its value becomes the output's. The output
 * is the result of one of its tasks when it is a bare reference, else of one more task ({@code
 * <key>/$output}) that evaluates it in the runner, so that indexes, operators and pickled values
 * work there as in any argument. Invalid, the returning task FAILS, its error naming the field or
 * the limit.
 */
@Component
public class ExpandSubWorkflow implements SubWorkflows {

  /** The key, under the returning task's, of the task that evaluates a composite output. */
  static final String OUTPUT_KEY = "$output";

  static final String OUTPUT_SOURCE = "def output(value):\n    return value\n";

  private static final Set<String> FIELDS = Set.of("tasks", "output", "name");

  private final WorkflowTaskChecks checks;
  private final SubmitTask submitTask;
  private final TaskQueries queries;
  private final SubmissionLimits limits;
  private final UnfinishedTasks unfinished;
  private final WorkflowProperties properties;
  private final JsonMapper json;
  private final Clock clock;

  public ExpandSubWorkflow(
      WorkflowTaskChecks checks,
      SubmitTask submitTask,
      TaskQueries queries,
      SubmissionLimits limits,
      UnfinishedTasks unfinished,
      WorkflowProperties properties,
      JsonMapper json,
      Clock clock) {
    this.checks = checks;
    this.submitTask = submitTask;
    this.queries = queries;
    this.limits = limits;
    this.unfinished = unfinished;
    this.properties = properties;
    this.json = json;
    this.clock = clock;
  }

  @Override
  public void returned(Task task, JsonNode workflow, Integer exitCode, Instant at) {
    if (task.cancelRequested()) {
      // nothing of it starts: a task that waits with a cancel request would wait for ever
      task.cancel("cancelled before its sub-workflow started", at);
      return;
    }
    try {
      Children children = children(task, workflow, at);
      task.returnedSubWorkflow(children.tasks(), children.output(), exitCode, at);
    } catch (InvalidTaskException e) {
      String what =
          e.violations().stream()
              .map(v -> v.field() + ": " + v.message())
              .collect(Collectors.joining("; "));
      String reason = "the function returned an invalid sub-workflow: " + what;
      task.fail(reason, new TaskError("InvalidSubWorkflow", reason, null), exitCode, null, at);
    } catch (SubmissionRefusedException e) {
      String reason = "the sub-workflow the function returned is refused: " + e.getMessage();
      task.fail(reason, new TaskError("SubWorkflowRefused", reason, null), exitCode, null, at);
    }
  }

  /** The tasks of a valid sub-workflow, and which of them gives the output. */
  record Children(List<Task> tasks, UUID output) {}

  /**
   * The sub-workflow {@code parent} returned, as tasks of its workflow.
   *
   * @throws InvalidTaskException naming each field or limit it breaks
   * @throws SubmissionRefusedException when it is over a submission limit of the parent's client
   */
  Children children(Task parent, JsonNode workflow, Instant at) {
    List<InvalidTaskException.Violation> problems = new ArrayList<>();
    if (parent.workflowId() == null) {
      fail("workflow", "only a task of a workflow can return a sub-workflow");
    }
    int depth = SubWorkflowKeys.depth(parent.workflowKey()) + 1;
    if (depth > properties.maxSubWorkflowDepth()) {
      fail(
          "workflow",
          "would nest "
              + depth
              + " levels deep; batch-executor.workflows.max-sub-workflow-depth is "
              + properties.maxSubWorkflowDepth());
    }
    workflow
        .propertyNames()
        .forEach(
            f -> {
              if (!FIELDS.contains(f)) {
                problems.add(v(f, "is not a field of a sub-workflow (tasks, output, name)"));
              }
            });
    if (!workflow.has("output")) {
      problems.add(v("output", "is required: the value the returning task takes"));
    }
    JsonNode name = workflow.path("name");
    if (!name.isMissingNode() && !name.isNull() && !name.isString()) {
      problems.add(v("name", "must be a string"));
    }
    Map<String, List<String>> after = new LinkedHashMap<>();
    Map<String, NewTask> given =
        new SubWorkflowTasks(json).of(parent.owner(), workflow.path("tasks"), after, problems);
    if (given.isEmpty()) {
      problems.add(v("tasks", "a sub-workflow needs at least one task"));
    }
    JsonNode output = workflow.path("output");
    boolean bareOutput = SubWorkflowKeys.isBareReference(output, given.keySet());
    long existing = queries.countInWorkflow(parent.workflowId());
    int adding = given.size() + (bareOutput ? 0 : 1);
    if (existing + adding > SubmitWorkflow.MAX_TASKS) {
      fail(
          "tasks",
          "the workflow would have "
              + (existing + adding)
              + " tasks with this sub-workflow's "
              + adding
              + "; a workflow has at most "
              + SubmitWorkflow.MAX_TASKS);
    }
    List<InvalidTaskException.Violation> malformed = new ArrayList<>();
    Set<String> outputTakes = new java.util.LinkedHashSet<>();
    for (TaskReferences.Reference r :
        TaskReferences.in(json.createArrayNode().add(output), null, malformed)) {
      if (!given.containsKey(r.key())) {
        problems.add(
            v(
                "output" + r.path().substring("args[0]".length()),
                "refers to '" + r.key() + "', which is not a task of this sub-workflow"));
      } else {
        outputTakes.add(r.key());
      }
    }
    malformed.forEach(
        p -> problems.add(v("output" + p.field().substring("args[0]".length()), p.message())));
    // each task as a posted workflow's, its after included; refused with every problem found
    WorkflowDependencies checked = checks.checkTasks(given, after, problems);
    Map<String, Set<String>> dependencies = checked.all();
    limits.checkRuns(parent.owner(), SubmissionLimits.runsOf(given.values()), () -> false);
    Map<String, TaskSettings> settings = checks.settings(given);
    // what each task takes on its backend, the output's task (on the returning task's) among them
    Map<String, Set<String>> inputs = new LinkedHashMap<>(checked.inputs());
    Map<String, TaskSettings> onBackends = new LinkedHashMap<>(settings);
    if (!bareOutput) {
      inputs.put(OUTPUT_KEY, outputTakes);
      onBackends.put(OUTPUT_KEY, parent.settings());
    }
    checks.checkDependenciesOnBackends(inputs, onBackends);
    Children children = build(parent, given, dependencies, settings, output, bareOutput, at);
    // last: once counted, TaskRepository gives them back unless they are stored
    int maxUnfinished = limits.maxUnfinishedTasks(parent.owner());
    if (maxUnfinished > 0) {
      unfinished.reserve(parent.owner(), adding, maxUnfinished);
    }
    return children;
  }

  private Children build(
      Task parent,
      Map<String, NewTask> given,
      Map<String, Set<String>> dependencies,
      Map<String, TaskSettings> settings,
      JsonNode output,
      boolean bareOutput,
      Instant at) {
    String prefix = parent.workflowKey() + "/";
    Map<String, UUID> ids = new LinkedHashMap<>();
    given.keySet().forEach(key -> ids.put(key, Ids.next(clock)));
    List<Task> tasks = new ArrayList<>();
    for (Map.Entry<String, NewTask> entry : given.entrySet()) {
      String key = entry.getKey();
      NewTask task = entry.getValue();
      TaskSpec spec = task.spec();
      TaskSpec rewritten =
          new TaskSpec(
              spec.function(),
              SubWorkflowKeys.under(prefix, spec.args()),
              SubWorkflowKeys.under(prefix, spec.kwargs()),
              spec.image(),
              spec.sweep());
      Map<String, UUID> dependsOn = new LinkedHashMap<>();
      dependencies.get(key).forEach(d -> dependsOn.put(prefix + d, ids.get(d)));
      tasks.add(
          Task.acceptInWorkflow(
              ids.get(key),
              parent.owner(),
              task.name() != null ? task.name() : prefix + key,
              submitTask.stored(rewritten, settings.get(key)),
              settings.get(key),
              settings.get(key).backend(),
              at,
              parent.workflowId(),
              prefix + key,
              dependsOn,
              !dependsOn.isEmpty()));
    }
    if (bareOutput) {
      return new Children(tasks, ids.get(output.get(TaskReferences.FIELD).asString()));
    }
    // the output evaluated by the runner, in the returning task's environment
    Map<String, UUID> dependsOn = new LinkedHashMap<>();
    List<InvalidTaskException.Violation> ignored = new ArrayList<>();
    TaskReferences.in(json.createArrayNode().add(output), null, ignored)
        .forEach(r -> dependsOn.put(prefix + r.key(), ids.get(r.key())));
    UUID id = Ids.next(clock);
    TaskSpec spec =
        new TaskSpec(
            new TaskSpec.FunctionSpec(OUTPUT_SOURCE, "output"),
            json.createArrayNode().add(SubWorkflowKeys.under(prefix, output)),
            json.createObjectNode(),
            parent.spec().image());
    tasks.add(
        Task.acceptInWorkflow(
            id,
            parent.owner(),
            "output of " + parent.workflowKey(),
            submitTask.stored(spec, parent.settings()),
            parent.settings(),
            parent.backend(),
            at,
            parent.workflowId(),
            prefix + OUTPUT_KEY,
            dependsOn,
            !dependsOn.isEmpty()));
    return new Children(tasks, id);
  }

  private static void fail(String field, String message) {
    throw new InvalidTaskException(List.of(v(field, message)));
  }

  private static InvalidTaskException.Violation v(String field, String message) {
    return new InvalidTaskException.Violation(field, message);
  }
}
