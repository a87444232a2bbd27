package io.batchexecutor.workflow;

import io.batchexecutor.task.TaskSpec;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import tools.jackson.databind.json.JsonMapper;

/**
 * What identifies a workflow's submission, or a re-run of one, for its Idempotency-Key: the SHA-256
 * of the request as it was meant (a replay with the same key and the same hash answers the first, a
 * different hash is a conflict). The shapes hashed here are stored with the workflow: changing one
 * turns every stored replay into a conflict.
 */
final class WorkflowRequestHash {

  private WorkflowRequestHash() {}

  /**
   * A submission's hash: its name and every task as it was given (name, spec as {@code normalised}
   * stores it, executor, the keys it waits for).
   */
  static String of(NewWorkflow request, UnaryOperator<TaskSpec> normalised, JsonMapper json) {
    Map<String, Object> identity = new LinkedHashMap<>();
    identity.put("name", request.name());
    Map<String, Object> tasks = new LinkedHashMap<>();
    request
        .tasks()
        .forEach(
            (key, t) -> {
              Map<String, Object> task = new LinkedHashMap<>();
              task.put("name", t.name());
              task.put("spec", normalised.apply(t.spec()));
              task.put("executor", t.executor());
              if (request.after().containsKey(key)) {
                task.put("after", request.after().get(key));
              }
              tasks.put(key, task);
            });
    identity.put("tasks", tasks);
    return sha256(identity, json);
  }

  /** A re-run's hash: the run it repeats, whether it reuses, and the replacements by key. */
  static String ofRerun(
      RerunWorkflow.Request request,
      Map<String, RerunWorkflow.Replacement> replacements,
      JsonMapper json) {
    Map<String, Object> identity = new LinkedHashMap<>();
    identity.put("rerun_of", request.earlier().toString());
    identity.put("reuse", request.reuse());
    Map<String, Object> tasks = new TreeMap<>();
    replacements.forEach(
        (k, r) ->
            tasks.put(
                k,
                List.of(
                    String.valueOf(r.function()),
                    String.valueOf(TaskContentHash.canonical(r.args())),
                    String.valueOf(TaskContentHash.canonical(r.kwargs())))));
    identity.put("tasks", tasks);
    return sha256(identity, json);
  }

  private static String sha256(Map<String, Object> identity, JsonMapper json) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(json.writeValueAsBytes(identity)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
