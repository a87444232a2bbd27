package io.batchexecutor.task;

import io.batchexecutor.config.TaskSettings;
import java.util.List;

/**
 * What a backend refuses of a task's settings at acceptance, beyond what every backend checks: a
 * bean of the backend's own (AWS Batch on a Fargate queue: its sizes, no GPUs), asked by {@link
 * SubmitTask} for every task and workflow task before anything is stored.
 */
public interface BackendSettingsRules {

  /**
   * The problems of {@code effective}, each naming its field under {@code executor.}; none when the
   * backend will run it.
   *
   * @param requested what the request itself gives (a field left out is {@code null})
   * @param effective the settings the task would run with
   */
  List<InvalidTaskException.Violation> problems(TaskSettings requested, TaskSettings effective);
}
