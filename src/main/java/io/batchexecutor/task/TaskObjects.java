package io.batchexecutor.task;

import io.batchexecutor.runner.RunnerContract;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Where a task's objects (payload, result, logs, build output) are kept in an object store: under
 * {@code batch-executor/<client>/<task id>/}, so that each client's objects have a prefix of their
 * own, which a job role's policy can be limited to. A task stored before object keys carried the
 * client keeps the layout it was written under, {@code batch-executor/tasks/<task id>/}.
 */
public final class TaskObjects {

  /** The first segment of every task's object keys. */
  public static final String PREFIX = "batch-executor";

  /** The staged call ({@code staged} payload mode): what the runner reads. */
  public static final String PAYLOAD = "payload.json";

  /** The runner's result document. */
  public static final String RESULT = RunnerContract.RESULT_FILE;

  /** The pickle of a value JSON cannot carry, beside {@link #RESULT}. */
  public static final String PICKLE = RunnerContract.PICKLE_FILE;

  /** What the function wrote to stdout, kept apart by the runner beside {@link #RESULT}. */
  public static final String STDOUT = RunnerContract.STDOUT_FILE;

  /** What the function wrote to stderr, kept apart by the runner beside {@link #RESULT}. */
  public static final String STDERR = RunnerContract.STDERR_FILE;

  private TaskObjects() {}

  /**
   * Whether {@code pointer} names a runner's result document, beside which the runner keeps its
   * other files ({@link #besideResult}).
   */
  public static boolean isResult(String pointer) {
    return pointer != null && pointer.endsWith(RESULT);
  }

  /** The object {@code name} the runner keeps beside the result document at {@code result}. */
  public static String besideResult(String result, String name) {
    if (!isResult(result)) {
      throw new IllegalArgumentException("not a result document's pointer: " + result);
    }
    return result.substring(0, result.length() - RESULT.length()) + name;
  }

  /** {@code <prefix of the task>/<name>}. */
  public static String key(Task task, String name) {
    return prefix(task) + name;
  }

  /**
   * The prefix of {@code task}'s objects, ending in {@code /}: {@code batch-executor/<client>/<task
   * id>/}, or {@code batch-executor/tasks/<task id>/} for a task stored before keys carried the
   * client.
   */
  public static String prefix(Task task) {
    return task.objectPrefix() != null ? task.objectPrefix() : legacyPrefix(task.id());
  }

  /** The prefix a new task of {@code client} gets. */
  static String prefixFor(String client, UUID id) {
    return PREFIX + "/" + segment(client) + "/" + id + "/";
  }

  /** The layout of tasks stored before object keys carried the client. */
  static String legacyPrefix(UUID id) {
    return PREFIX + "/tasks/" + id + "/";
  }

  /**
   * The client's name as one key segment: as it is when it is made of letters, digits, {@code -},
   * {@code _} and {@code .} (client names are), else with every other byte percent-encoded, so that
   * no name can reach into another prefix. A client named {@code tasks} would share its prefix with
   * the earlier layout's tasks of every client, so its first letter is encoded too.
   */
  static String segment(String client) {
    if (client.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")
        && !client.contains("..")
        && !client.equals("tasks")) {
      return client;
    }
    StringBuilder encoded = new StringBuilder();
    for (byte b : client.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      boolean plain =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (plain && !(encoded.isEmpty() && client.equals("tasks"))) {
        encoded.append(c);
      } else {
        encoded.append('%').append(String.format(java.util.Locale.ROOT, "%02X", b & 0xff));
      }
    }
    return encoded.toString();
  }
}
