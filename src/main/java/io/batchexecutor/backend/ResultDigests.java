package io.batchexecutor.backend;

import io.batchexecutor.runner.RunnerContract;
import io.batchexecutor.support.Sha256;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskObjects;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The SHA-256 of every result file the service collects ({@code result.json}, {@code
 * result.pickle}), recorded with the task when it is collected and checked on every later read:
 * when the service copies a result into a workflow task's container, when it serves {@code
 * /result}, and (through the digests a consuming task is given) by the runner that takes it as an
 * input. A result that no longer matches is never used: a task that would take it fails, naming it,
 * and {@code /result} refuses it.
 */
public final class ResultDigests {

  /**
   * The runner's environment variable that carries the SHA-256 of the payload it must run: given by
   * the service (the local container's environment, SubmitJob's container overrides), never read
   * from the object store.
   */
  public static final String PAYLOAD_SHA256_ENV = RunnerContract.PAYLOAD_SHA256;

  /**
   * The runner's environment variable that carries, for each input (by dependency key), the SHA-256
   * of its result files: {@code {"train": {"result.json": "...", "result.pickle": "..."}}}.
   */
  public static final String INPUT_SHA256_ENV = RunnerContract.INPUT_SHA256;

  private ResultDigests() {}

  /** The digests of the result files among {@code files} (file name to bytes), by file name. */
  public static Map<String, String> of(Map<String, byte[]> files) {
    Map<String, String> digests = new LinkedHashMap<>();
    for (String name : new String[] {TaskObjects.RESULT, TaskObjects.PICKLE}) {
      byte[] bytes = files.get(name);
      if (bytes != null) {
        digests.put(name, Sha256.hex(bytes));
      }
    }
    return digests;
  }

  /**
   * The digests of the task's own result files ({@code result.json}, {@code result.pickle}), by
   * file name: what the task view shows and a consuming task is given. (A sweep also keeps those of
   * its runs' pickles, checked when one is served.)
   */
  public static Map<String, String> ofResult(Task task) {
    Map<String, String> digests = new LinkedHashMap<>();
    for (String name : new String[] {TaskObjects.RESULT, TaskObjects.PICKLE}) {
      String digest = task.resultDigests().get(name);
      if (digest != null) {
        digests.put(name, digest);
      }
    }
    return digests;
  }

  /**
   * Checks {@code bytes}, read back as {@code task}'s result file {@code name}, against the digest
   * recorded when it was collected. A task that ended before digests were kept has none, and its
   * files are taken as they are.
   *
   * @param what names the result in the failure ("the result of dependency 'train'")
   * @throws AlteredResultException when they differ, or when a digest is recorded for a file that
   *     was not collected with it
   */
  public static byte[] check(Task task, String name, byte[] bytes, String what) {
    if (task.resultDigests().isEmpty()) {
      return bytes;
    }
    String expected = task.resultDigests().get(name);
    if (expected == null || !Sha256.matches(bytes, expected)) {
      throw new AlteredResultException(
          what
              + " ("
              + name
              + " of task "
              + task.id()
              + ") does not match the SHA-256 recorded when the service collected it"
              + (expected == null ? "" : " (" + expected + ")")
              + ": it was changed in the object store, and is not used");
    }
    return bytes;
  }

  /** A stored result that no longer matches the digest recorded when it was collected. */
  public static final class AlteredResultException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    AlteredResultException(String message) {
      super(message);
    }
  }
}
