package io.batchexecutor.task;

/** Where a task's objects (payload, result, logs, build output) are kept in an object store. */
public final class TaskObjects {

  /** The staged call ({@code staged} payload mode): what the runner reads. */
  public static final String PAYLOAD = "payload.json";

  private TaskObjects() {}

  /** {@code batch-executor/tasks/<id>/<name>}. */
  public static String key(Task task, String name) {
    return "batch-executor/tasks/" + task.id() + "/" + name;
  }
}
