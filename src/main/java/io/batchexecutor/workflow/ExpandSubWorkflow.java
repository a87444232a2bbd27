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
import tools.jackson.databind.node.ObjectNode;

/**
 * A sub-workflow a task returned, checked exactly as {@code POST /api/v1/workflows} checks a posted
 * one (the same per-task checks, execution profiles, references, cycle and run limits) plus what
 * only a sub-workflow has: its {@code output}, its depth ({@code
 * batch-executor.workflows.max-sub-workflow-depth}) and the per-workflow limit of tasks counted
 * over the whole running workflow. Valid, its tasks get keys under the returning task's ({@code
 * train/0}), their references are rewritten to those keys, and the returning task WAITS for them;
 * its value becomes the output's. The output is the result of one of its tasks when it is a bare
 * reference, else of one more task ({@code <key>/$output}) that evaluates it in the runner, so that
 * indexes, operators and pickled values work there as in any argument. Invalid, the returning task
 * FAILS, its error naming the field or the limit.
 */
@Component
public class ExpandSubWorkflow implements SubWorkflows {

  /** The key, under the returning task's, of the task that evaluates a composite output. */
  static final String OUTPUT_KEY = "$output";

  static final String OUTPUT_SOURCE = "def output(value):\n    return value\n";

  private static final Set<String> FIELDS = Set.of("tasks", "output", "name");
  private static final Set<String> TASK_FIELDS =
      Set.of("name", "function", "args", "kwargs", "executor", "image", "sweep");

  private final SubmitWorkflow submit;
  private final SubmitTask submitTask;
  private final TaskQueries queries;
  private final SubmissionLimits limits;
  private final WorkflowProperties properties;
  private final JsonMapper json;
  private final Clock clock;

  public ExpandSubWorkflow(
      SubmitWorkflow submit,
      SubmitTask submitTask,
      TaskQueries queries,
      SubmissionLimits limits,
      WorkflowProperties properties,
      JsonMapper json,
      Clock clock) {
    this.submit = submit;
    this.submitTask = submitTask;
    this.queries = queries;
    this.limits = limits;
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
    int depth = depth(parent.workflowKey()) + 1;
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
    Map<String, NewTask> given = tasks(parent.owner(), workflow.path("tasks"), problems);
    if (given.isEmpty()) {
      problems.add(v("tasks", "a sub-workflow needs at least one task"));
    }
    JsonNode output = workflow.path("output");
    boolean bareOutput = isBareReference(output, given.keySet());
    int existing = queries.inWorkflow(parent.workflowId()).size();
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
    Map<String, Set<String>> dependencies = new LinkedHashMap<>();
    for (Map.Entry<String, NewTask> entry : given.entrySet()) {
      Set<String> needs =
          submit.checkTask(entry.getKey(), entry.getValue(), given.keySet(), problems);
      if (needs != null) {
        dependencies.put(entry.getKey(), needs);
      }
    }
    List<InvalidTaskException.Violation> malformed = new ArrayList<>();
    for (TaskReferences.Reference r :
        TaskReferences.in(json.createArrayNode().add(output), null, malformed)) {
      if (!given.containsKey(r.key())) {
        problems.add(
            v(
                "output" + r.path().substring("args[0]".length()),
                "refers to '" + r.key() + "', which is not a task of this sub-workflow"));
      }
    }
    malformed.forEach(
        p -> problems.add(v("output" + p.field().substring("args[0]".length()), p.message())));
    if (problems.isEmpty()) {
      SubmitWorkflow.checkAcyclic(dependencies, problems);
    }
    if ("awsbatch".equals(submitTask.backendName())) {
      FanInOnBatch.check(dependencies, problems);
    }
    if (!problems.isEmpty()) {
      throw new InvalidTaskException(problems);
    }
    limits.checkRuns(parent.owner(), SubmissionLimits.runsOf(given.values()), () -> false);
    Map<String, TaskSettings> settings = submit.settings(given);
    return build(parent, given, dependencies, settings, output, bareOutput, at);
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
              under(prefix, spec.args()),
              under(prefix, spec.kwargs()),
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
              submitTask.backendName(),
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
            json.createArrayNode().add(under(prefix, output)),
            json.createObjectNode(),
            parent.spec().image());
    tasks.add(
        Task.acceptInWorkflow(
            id,
            parent.owner(),
            "output of " + parent.workflowKey(),
            submitTask.stored(spec, parent.settings()),
            parent.settings(),
            submitTask.backendName(),
            at,
            parent.workflowId(),
            prefix + OUTPUT_KEY,
            dependsOn,
            !dependsOn.isEmpty()));
    return new Children(tasks, id);
  }

  /** The tasks of the sub-workflow as given, each as POST /api/v1/tasks would take it. */
  private Map<String, NewTask> tasks(
      String owner, JsonNode tasks, List<InvalidTaskException.Violation> problems) {
    Map<String, NewTask> given = new LinkedHashMap<>();
    if (tasks.isMissingNode() || tasks.isNull()) {
      return given;
    }
    if (!tasks.isObject()) {
      problems.add(v("tasks", "must be an object of tasks by key"));
      return given;
    }
    for (Map.Entry<String, JsonNode> entry : tasks.properties()) {
      String at = "tasks." + entry.getKey();
      JsonNode t = entry.getValue();
      if (!t.isObject()) {
        problems.add(v(at, "must be a task"));
        continue;
      }
      List<String> unknown =
          t.propertyNames().stream().filter(f -> !TASK_FIELDS.contains(f)).toList();
      if (!unknown.isEmpty()) {
        problems.add(v(at + "." + unknown.get(0), "is not a field of a task"));
        continue;
      }
      if (!t.path("args").isMissingNode() && !t.path("args").isNull() && !t.get("args").isArray()) {
        problems.add(v(at + ".args", "must be a JSON array"));
        continue;
      }
      if (!t.path("kwargs").isMissingNode()
          && !t.path("kwargs").isNull()
          && !t.get("kwargs").isObject()) {
        problems.add(v(at + ".kwargs", "must be a JSON object"));
        continue;
      }
      try {
        given.put(
            entry.getKey(),
            new NewTask(
                owner,
                t.path("name").isString() ? t.get("name").asString() : null,
                new TaskSpec(
                    value(t, "function", TaskSpec.FunctionSpec.class),
                    t.get("args"),
                    t.get("kwargs"),
                    value(t, "image", TaskSpec.ImageSpec.class),
                    t.get("sweep")),
                value(t, "executor", TaskSettings.class),
                null));
      } catch (tools.jackson.core.JacksonException e) {
        problems.add(v(at, "is not a task: " + e.getOriginalMessage()));
      }
    }
    return given;
  }

  private <T> T value(JsonNode task, String field, Class<T> type) {
    JsonNode node = task.get(field);
    return node == null || node.isNull() ? null : json.treeToValue(node, type);
  }

  /** Whether {@code output} is just a reference to one of the sub-workflow's tasks. */
  private static boolean isBareReference(JsonNode output, Set<String> keys) {
    return output.isObject()
        && output.size() == 1
        && output.path(TaskReferences.FIELD).isString()
        && keys.contains(output.get(TaskReferences.FIELD).asString());
  }

  /**
   * {@code value} with every reference's key put under {@code prefix}: the keys a sub-workflow's
   * tasks refer to each other by become the keys they have in the workflow.
   */
  static JsonNode under(String prefix, JsonNode value) {
    if (value == null) {
      return null;
    }
    JsonNode copy = value.deepCopy();
    rewrite(prefix, copy);
    return copy;
  }

  private static void rewrite(String prefix, JsonNode node) {
    if (node.isObject()) {
      ObjectNode object = (ObjectNode) node;
      JsonNode key = object.get(TaskReferences.FIELD);
      if (key != null && key.isString()) {
        object.put(TaskReferences.FIELD, prefix + key.asString());
      }
      object.forEach(child -> rewrite(prefix, child));
    } else if (node.isArray()) {
      node.forEach(child -> rewrite(prefix, child));
    }
  }

  /** How deep a key is nested: 0 for a posted task, 1 for a task of its sub-workflow, ... */
  static int depth(String key) {
    return key == null ? 0 : (int) key.chars().filter(c -> c == '/').count();
  }

  private static void fail(String field, String message) {
    throw new InvalidTaskException(List.of(v(field, message)));
  }

  private static InvalidTaskException.Violation v(String field, String message) {
    return new InvalidTaskException.Violation(field, message);
  }
}
