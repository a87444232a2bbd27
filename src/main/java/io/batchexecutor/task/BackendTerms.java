package io.batchexecutor.task;

import io.batchexecutor.config.TaskSettings;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What accepting a task must know of the backend it is to run on, asked of the backend rather than
 * known by name: each backend implements it (in {@code backend/<name>/}), and every backend the
 * deployment lists has one on every instance, whether or not that instance runs the backend.
 */
public interface BackendTerms {

  /** The backend's name as tasks record it. */
  String name();

  /** The shortest time limit in seconds the backend takes; 0 when any is fine. */
  default int minTimeLimit() {
    return 0;
  }

  /** Why {@link #minTimeLimit} is what it is, for the refusal of a shorter one. */
  default String minTimeLimitReason() {
    return "";
  }

  /**
   * What the backend refuses of a task's settings at acceptance, beyond what every backend checks
   * (AWS Batch on a Fargate queue: its sizes, no GPUs; secrets its profile does not give), each
   * naming its field under {@code executor.}; by default, any secret: a backend gives tasks none
   * unless it says otherwise.
   *
   * @param requested what the request itself gives (a field left out is {@code null})
   * @param effective the settings the task would run with
   */
  default List<InvalidTaskException.Violation> refusedSettings(
      TaskSettings requested, TaskSettings effective) {
    if (effective.secrets() == null || effective.secrets().isEmpty()) {
      return List.of();
    }
    return List.of(
        new InvalidTaskException.Violation(
            "executor.secrets",
            "cannot be given on the "
                + name()
                + " backend, which gives tasks no secrets (only AWS Batch execution profiles"
                + " do: batch-executor.execution-profiles.<name>.awsbatch.secrets)",
            InvalidTaskException.SECRET_NOT_ALLOWED));
  }

  /**
   * What the backend refuses in the dependencies of a workflow's tasks that run on it ({@code
   * dependencies}: each such task's key, with the keys of the tasks whose results it takes), each a
   * problem naming the task; none by default. A backend that hands a task's inputs over with the
   * task (AWS Batch's SubmitJob) bounds how many it can carry.
   */
  default List<InvalidTaskException.Violation> refusedDependencies(
      Map<String, Set<String>> dependencies) {
    return List.of();
  }

  /**
   * Which of this backend's tasks a poller of its own watches, so that the pipeline's claim loop
   * leaves them alone; none by default.
   */
  default WatchedTasks watched() {
    return WatchedTasks.none(name());
  }

  /**
   * Whether a task on this backend may transfer files from and to S3 ({@code files[].s3}): the
   * runner does them in the task's container with the role the task runs as. None by default.
   */
  default boolean transfersS3Files() {
    return false;
  }

  /** The terms of a backend that asks nothing in particular (a task on it is only tracked). */
  static BackendTerms plain(String name) {
    return () -> name;
  }
}
