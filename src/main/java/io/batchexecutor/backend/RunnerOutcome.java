package io.batchexecutor.backend;

import io.batchexecutor.runner.RunnerContract;
import io.batchexecutor.runner.RunnerResult;
import io.batchexecutor.task.SubWorkflows;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskError;
import java.time.Instant;
import java.util.Set;

/** Records what the runner's {@code result.json} says, the same way on every backend. */
public final class RunnerOutcome {

  private RunnerOutcome() {}

  /** Whether the runner's document says the function returned. */
  public static boolean returned(RunnerResult document) {
    return document != null && document.returned();
  }

  /** Whether the runner's document carries the function's exception. */
  public static boolean raised(RunnerResult document) {
    return document != null && document.raised();
  }

  /**
   * The errors the runner reports for itself, before the function runs: the payload or an input
   * does not match the SHA-256 the service gave it. Final, like the function raising (exit code
   * 65), and the reason is the runner's own sentence, naming what it refused.
   */
  public static final Set<String> REFUSALS = RunnerContract.REFUSALS;

  /** Whether the runner's document says it refused its payload or an input. */
  public static boolean refused(RunnerResult document) {
    return document != null && document.refused();
  }

  /**
   * Records that the function returned: the task SUCCEEDS with its value at {@code pointer}, or,
   * when it returned a sub-workflow, {@code subWorkflows} takes it (the task WAITS for it, or fails
   * naming what is wrong with it).
   */
  public static void returnedBy(
      Task task,
      RunnerResult document,
      String pointer,
      Integer exitCode,
      Instant at,
      SubWorkflows subWorkflows) {
    if (document.isWorkflow()) {
      subWorkflows.returned(task, document.workflow(), exitCode, at);
    } else {
      task.succeed(pointer, exitCode, at);
    }
  }

  /** The most characters of an exception's message that a task's status reason repeats. */
  static final int REASON_MESSAGE = 500;

  /**
   * The start of a message, for the status reason: its first line, at most {@value #REASON_MESSAGE}
   * characters. The message itself is kept whole (up to its bound) in the error.
   */
  static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int newline = message.indexOf('\n');
    String line = newline < 0 ? message : message.substring(0, newline);
    if (line.length() > REASON_MESSAGE) {
      return line.substring(0, REASON_MESSAGE) + "…";
    }
    return newline < 0 ? line : line + " …";
  }

  /**
   * Fails {@code task} with the Python exception (or the runner's refusal) in {@code document}: its
   * status reason names the exception with the start of its message, and the error keeps the
   * message and the traceback.
   */
  public static void failRaised(
      Task task, RunnerResult document, Integer exitCode, String pointer, Instant at) {
    TaskError taskError =
        new TaskError(document.errorType(), document.errorMessage(), document.errorTraceback());
    task.fail(
        refused(document)
            ? firstLine(taskError.message())
            : "the function raised " + taskError.type() + ": " + firstLine(taskError.message()),
        taskError,
        exitCode,
        pointer,
        at);
  }
}
