package io.batchexecutor.workflow;

import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which tasks of a re-run are reused rather than run: a task whose earlier run SUCCEEDED with a
 * result, whose {@linkplain TaskContentHash content hash} is unchanged, and all of whose
 * dependencies are reused too; none when the re-run does not allow reuse. So everything below a
 * changed task runs again.
 */
final class RerunReuse {

  private RerunReuse() {}

  /**
   * Each task's key of the earlier run ({@code before}) to whether it is reused, given its
   * dependencies (by key) and the content hashes of the tasks {@code now} and {@code then}. An
   * earlier task's result is not looked up in the object store: it stays stored while the earlier
   * run is not being deleted, which the re-run's insert holds ({@link WorkflowDeletionMarks}).
   */
  static Map<String, Boolean> decide(
      boolean allowed,
      Map<String, Task> before,
      Map<String, Set<String>> dependencies,
      TaskContentHash now,
      TaskContentHash then) {
    Map<String, Boolean> reused = new LinkedHashMap<>();
    for (String k : before.keySet()) {
      reuse(k, allowed, before, dependencies, now, then, reused);
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
            && now.of(k).equals(then.of(k));
    for (String d : dependencies.get(k)) {
      reuse &= reuse(d, allowed, before, dependencies, now, then, reused);
    }
    reused.put(k, reuse);
    return reuse;
  }
}
