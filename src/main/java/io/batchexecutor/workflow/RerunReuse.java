package io.batchexecutor.workflow;

import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.springframework.stereotype.Component;

/**
 * Which tasks of a re-run are reused rather than run: a task whose earlier run SUCCEEDED with a
 * result, whose {@linkplain TaskContentHash content hash} is unchanged, all of whose dependencies
 * are reused too, and whose result is still stored if anything needs it; none when the re-run does
 * not allow reuse. So everything below a changed task, or below a result gone since, runs again.
 *
 * <p>The earlier run cannot be deleted while the re-run is stored ({@link WorkflowDeletionMarks}),
 * but an object can be removed behind the service's back (a bucket lifecycle rule, an operator). So
 * the results something needs are looked up ({@link ResultLookup}): those of reused tasks that a
 * task which runs takes as input, and those of reused tasks nothing depends on (the workflow's
 * outputs). A result known to be gone makes its task run again, which may make more results needed
 * (its own inputs): those are looked up in turn, all under one deadline.
 */
@Component
class RerunReuse {

  /** At most this many results are looked up at once, for one re-run. */
  static final int PARALLEL = 8;

  /** The time one re-run spends looking results up, at most. */
  static final Duration DEADLINE = Duration.ofSeconds(10);

  private final ResultLookup lookup;

  RerunReuse(ResultLookup lookup) {
    this.lookup = lookup;
  }

  /**
   * Each task's key of the earlier run ({@code before}) to whether it is reused, given its
   * dependencies ({@code checked}: by key, and those whose results it takes) and the content hashes
   * of the tasks {@code now} and {@code then}.
   */
  Map<String, Boolean> decide(
      boolean allowed,
      Map<String, Task> before,
      WorkflowDependencies checked,
      TaskContentHash now,
      TaskContentHash then) {
    Set<String> gone = new HashSet<>();
    Set<String> lookedUp = new HashSet<>();
    long until = System.nanoTime() + DEADLINE.toNanos();
    while (true) {
      Map<String, Boolean> reused =
          decide(allowed, before, checked.all(), now, then, k -> !gone.contains(k));
      Map<String, String> needed = new LinkedHashMap<>();
      needed(reused, checked)
          .forEach(
              k -> {
                if (lookedUp.add(k)) {
                  needed.put(k, before.get(k).resultPointer());
                }
              });
      if (needed.isEmpty()) {
        return reused;
      }
      Set<String> missing = lookup.missing(needed, PARALLEL, until);
      if (missing.isEmpty()) {
        return reused;
      }
      gone.addAll(missing);
    }
  }

  /**
   * The reused tasks whose results are needed: those a task which runs takes as input, and those
   * nothing depends on (the workflow's outputs).
   */
  static Set<String> needed(Map<String, Boolean> reused, WorkflowDependencies checked) {
    Set<String> needed = new LinkedHashSet<>();
    Set<String> dependedOn = new HashSet<>();
    checked.all().values().forEach(dependedOn::addAll);
    reused.forEach(
        (k, r) -> {
          if (r && !dependedOn.contains(k)) {
            needed.add(k);
          } else if (!r) {
            checked.inputs().getOrDefault(k, Set.of()).stream()
                .filter(reused::get)
                .forEach(needed::add);
          }
        });
    return needed;
  }

  /**
   * Each task's key to whether it is reused, its result counted as stored when {@code stored} holds
   * for its key.
   */
  static Map<String, Boolean> decide(
      boolean allowed,
      Map<String, Task> before,
      Map<String, Set<String>> dependencies,
      TaskContentHash now,
      TaskContentHash then,
      Predicate<String> stored) {
    Map<String, Boolean> reused = new LinkedHashMap<>();
    for (String k : before.keySet()) {
      reuse(k, allowed, before, dependencies, now, then, stored, reused);
    }
    return reused;
  }

  /** Whether task {@code k} is reused; its dependencies are decided first. */
  private static boolean reuse(
      String k,
      boolean allowed,
      Map<String, Task> before,
      Map<String, Set<String>> dependencies,
      TaskContentHash now,
      TaskContentHash then,
      Predicate<String> stored,
      Map<String, Boolean> reused) {
    Boolean known = reused.get(k);
    if (known != null) {
      return known;
    }
    Task earlier = before.get(k);
    boolean reuse =
        allowed
            && earlier.status() == TaskStatus.SUCCEEDED
            && earlier.resultPointer() != null
            && stored.test(k)
            && now.of(k).equals(then.of(k));
    for (String d : dependencies.get(k)) {
      reuse &= reuse(d, allowed, before, dependencies, now, then, stored, reused);
    }
    reused.put(k, reuse);
    return reuse;
  }
}
