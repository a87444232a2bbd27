package io.batchexecutor.runner;

import java.util.List;
import java.util.Set;

/** The names and numbers the service and {@code runner.py} share. */
public final class RunnerContract {

  private RunnerContract() {}

  /** The runner's document of the call's outcome. */
  public static final String RESULT_FILE = "result.json";

  /** The pickle of a value JSON cannot carry, beside {@link #RESULT_FILE}. */
  public static final String PICKLE_FILE = "result.pickle";

  /**
   * The runner's bounded copy of what the function wrote to stdout, beside {@link #RESULT_FILE}.
   */
  public static final String STDOUT_FILE = "stdout.txt";

  /**
   * The runner's bounded copy of what the function wrote to stderr, beside {@link #RESULT_FILE}.
   */
  public static final String STDERR_FILE = "stderr.txt";

  /**
   * The name of a file a task's {@code files} keep for the client, in the output directory beside
   * {@link #RESULT_FILE}: this prefix and the transfer's index in {@code files}.
   */
  public static final String KEPT_FILE_PREFIX = "file-";

  /** How many transfers a task may name at most, so how many kept files there can be. */
  public static final int MAX_FILES = 64;

  /** The name of the kept file of transfer {@code index}. */
  public static String keptFile(int index) {
    return KEPT_FILE_PREFIX + index;
  }

  /**
   * Where the local backend puts the uploads a task's files name ({@code <dir>/<id>}); on AWS Batch
   * the runner reads them beside the payload in S3 ({@code uploads/<id>}).
   */
  public static final String UPLOADS_DIR = "/batch-executor-files/uploads";

  /** Exit code: the function (or its module source) raised, or the runner refused its input. */
  public static final int EXIT_RAISED = 65;

  /** Exit code: the runner itself could not do its job (unreadable payload, unstorable result). */
  public static final int EXIT_RUNNER_FAILED = 66;

  /** Where the payload file is, when it travels as a file. */
  public static final String PAYLOAD = "BATCH_EXECUTOR_PAYLOAD";

  /** The payload itself, when it is small enough for the environment. */
  public static final String PAYLOAD_JSON = "BATCH_EXECUTOR_PAYLOAD_JSON";

  /** The payload's S3 location (AWS Batch). */
  public static final String PAYLOAD_S3_URI = "BATCH_EXECUTOR_PAYLOAD_S3_URI";

  /** The SHA-256 of the payload, which the runner checks before using it. */
  public static final String PAYLOAD_SHA256 = "BATCH_EXECUTOR_PAYLOAD_SHA256";

  /**
   * Where a task container on the local engine gets its own volume (payload, inputs, outputs).
   * Every task image has this directory open to all (mode 1777, as {@code /tmp}), so that the
   * volume the engine makes from it is too and the runner, whichever user it runs as, makes its
   * output directory there itself.
   */
  public static final String VOLUME_DIR = "/batch-executor-files";

  /** The directory the runner writes its result files into. */
  public static final String OUTPUT_DIR = "BATCH_EXECUTOR_OUTPUT_DIR";

  /** The S3 prefix the runner uploads its result files to (AWS Batch). */
  public static final String RESULT_S3_URI = "BATCH_EXECUTOR_RESULT_S3_URI";

  /** An S3-compatible endpoint, when S3 is not AWS's. */
  public static final String S3_ENDPOINT = "BATCH_EXECUTOR_S3_ENDPOINT";

  /** For a workflow task: where each input's result files are, by key. */
  public static final String INPUTS = "BATCH_EXECUTOR_INPUTS";

  /** For a workflow task: the SHA-256 of each input's result files, by key. */
  public static final String INPUT_SHA256 = "BATCH_EXECUTOR_INPUT_SHA256";

  /** The run of a sweep on the local backend (AWS Batch sets its own array index). */
  public static final String SWEEP_INDEX = "BATCH_EXECUTOR_SWEEP_INDEX";

  /** The most bytes the runner keeps of each of stdout and stderr (16 MiB when not set). */
  public static final String MAX_LOG_SIZE = "BATCH_EXECUTOR_MAX_LOG_SIZE";

  /**
   * The most bytes of a file a task's files keep for the client ({@code max-result-size}): a larger
   * one fails the task (unbounded when not set).
   */
  public static final String MAX_KEPT_FILE_SIZE = "BATCH_EXECUTOR_MAX_KEPT_FILE_SIZE";

  /**
   * Where the uploads a task's files name are, when not {@link #UPLOADS_DIR} (the runner's tests on
   * the host); the backends leave it unset.
   */
  public static final String UPLOADS_DIR_VARIABLE = "BATCH_EXECUTOR_UPLOADS_DIR";

  /** The environment variables {@code runner.py} reads. */
  public static final List<String> ENVIRONMENT =
      List.of(
          PAYLOAD,
          PAYLOAD_JSON,
          PAYLOAD_S3_URI,
          PAYLOAD_SHA256,
          OUTPUT_DIR,
          RESULT_S3_URI,
          S3_ENDPOINT,
          INPUTS,
          INPUT_SHA256,
          SWEEP_INDEX,
          MAX_LOG_SIZE,
          MAX_KEPT_FILE_SIZE,
          UPLOADS_DIR_VARIABLE);

  /**
   * The errors the runner reports for itself, before the function runs: the payload or an input
   * does not match the SHA-256 the service gave it.
   */
  public static final Set<String> REFUSALS = Set.of("PayloadAltered", "InputAltered");

  /**
   * The key of {@code result.json} that carries a sub-workflow the function returned (an instance
   * of the runner's {@code SubWorkflow}): {@code {"ok": true, "workflow": {"tasks": ..., "output":
   * ...}}}.
   */
  public static final String WORKFLOW_KEY = "workflow";

  /** The module the runner makes importable for task code, which defines {@code SubWorkflow}. */
  public static final String TASK_MODULE = "batch_executor_task";
}
