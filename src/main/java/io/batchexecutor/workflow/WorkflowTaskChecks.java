package io.batchexecutor.workflow;

import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.task.InvalidTaskException;
import io.batchexecutor.task.NewTask;
import io.batchexecutor.task.SubmitTask;
import io.batchexecutor.task.TaskReferences;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * The checks of a workflow's tasks, the same for a submission, a re-run and a sub-workflow a task
 * returned: each task as {@code POST /api/v1/tasks} would check it, its key, its references to
 * other keys, the DAG they form, its settings, and what each backend refuses of the dependencies of
 * the tasks that run on it. Every check adds to a list of problems refused together (400).
 */
@Component
class WorkflowTaskChecks {

  static final Pattern KEY = Pattern.compile("^[A-Za-z0-9_][A-Za-z0-9_.\\-]{0,99}$");

  private final SubmitTask submitTask;

  WorkflowTaskChecks(SubmitTask submitTask) {
    this.submitTask = submitTask;
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

  private static InvalidTaskException.Violation v(String field, String message) {
    return new InvalidTaskException.Violation(field, message);
  }
}
