package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.task.InvalidTaskException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A workflow's fan-in as AWS Batch can carry it: each task's inputs fit its SubmitJob. */
final class FanInOnBatch {

  private FanInOnBatch() {}

  /**
   * What a dependency adds at most to a dependant's SubmitJob on AWS Batch besides twice its key:
   * where its result is (a bucket name of up to 63 characters, the client's and the task's ids) and
   * the digests of its result and pickle, with their JSON.
   */
  static final int SUBMIT_JOB_BYTES_PER_INPUT = 340;

  /**
   * The part of SubmitJob's 30 KiB that a task's inputs may take; the rest is the request's own.
   */
  static final int SUBMIT_JOB_BYTES_FOR_INPUTS = 26 * 1024;

  /**
   * On AWS Batch a task's inputs travel in its SubmitJob, which AWS takes up to 30 KiB: a fan-in
   * wider than that is refused now, not by AWS once its dependencies have run.
   */
  static List<InvalidTaskException.Violation> check(Map<String, Set<String>> dependencies) {
    List<InvalidTaskException.Violation> problems = new ArrayList<>();
    dependencies.forEach(
        (key, needs) -> {
          long bytes =
              needs.stream().mapToLong(k -> SUBMIT_JOB_BYTES_PER_INPUT + 2L * k.length()).sum();
          if (bytes > SUBMIT_JOB_BYTES_FOR_INPUTS) {
            problems.add(
                v(
                    "tasks." + key,
                    "takes the results of "
                        + needs.size()
                        + " tasks: on AWS Batch their locations and digests travel in the task's"
                        + " SubmitJob, which AWS takes up to 30 KiB (about "
                        + SUBMIT_JOB_BYTES_FOR_INPUTS / SUBMIT_JOB_BYTES_PER_INPUT
                        + " inputs with short keys); gather them in fewer tasks first"));
          }
        });
    return problems;
  }

  private static InvalidTaskException.Violation v(String field, String message) {
    return new InvalidTaskException.Violation(field, message);
  }
}
