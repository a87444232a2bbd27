package io.batchexecutor.backend.local;

import io.batchexecutor.backend.ResultDigests;
import io.batchexecutor.backend.TaskInputs;
import io.batchexecutor.backend.TaskPayload;
import io.batchexecutor.config.PayloadMode;
import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.runner.RunnerContract;
import io.batchexecutor.task.Task;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a task's container is launched with: the {@link ContainerSpec} of an attempt (of one run of
 * a sweep), from the task, its settings and the operator's {@link ContainerConfinement}; and the
 * files its volume holds before it starts (a staged payload too large for the environment, the
 * results of the tasks it depends on).
 */
class LaunchSpecification {

  static final String TASK_LABEL = "io.batchexecutor.task";
  static final String ATTEMPT_LABEL = "io.batchexecutor.attempt";
  static final String SWEEP_INDEX_LABEL = "io.batchexecutor.sweep-index";

  /**
   * The largest staged payload that travels in the container's environment rather than as a file in
   * its volume: well under Linux's limit for one environment string (128 KiB).
   */
  static final int INLINE_PAYLOAD_LIMIT = 64 * 1024;

  private final TaskInputs inputs;
  private final JsonMapper json;
  private final ContainerConfinement confinement;

  LaunchSpecification(TaskInputs inputs, JsonMapper json, ContainerConfinement confinement) {
    this.inputs = inputs;
    this.json = json;
    this.confinement = confinement;
  }

  /** The container name of an attempt: deterministic, so a re-run after a crash finds it. */
  static String name(Task task, int attempt) {
    return "batch-executor-" + task.id() + "-" + attempt;
  }

  /** The container name of run {@code index} of a sweep. */
  static String name(Task task, int attempt, Integer sweepIndex) {
    return sweepIndex == null ? name(task, attempt) : name(task, attempt) + "-s" + sweepIndex;
  }

  /**
   * The container of run {@code sweepIndex} of a sweep ({@code null}: the task's one run) of
   * attempt {@code attempt}, confined as the operator set, with {@code cpus} CPUs.
   */
  ContainerSpec spec(Task task, int attempt, Integer sweepIndex, double cpus) {
    TaskSettings s = task.settings();
    Map<String, String> labels = new HashMap<>();
    labels.put(TASK_LABEL, task.id().toString());
    labels.put(ATTEMPT_LABEL, Integer.toString(attempt));
    List<String> env = new ArrayList<>();
    // the request's own variables (executor.environment), whose names never clash with the
    // service's
    if (s.environment() != null) {
      new TreeMap<>(s.environment()).forEach((k, v) -> env.add(k + "=" + v));
    }
    env.add("BATCH_EXECUTOR_TASK_ID=" + task.id());
    env.add("BATCH_EXECUTOR_ATTEMPT=" + attempt);
    env.add(RunnerContract.OUTPUT_DIR + "=" + ContainerSpec.OUTPUT_DIR);
    env.add(
        RunnerContract.MAX_LOG_SIZE
            + "="
            + Math.min(confinement.maxLogBytes(), confinement.maxResult().bytes()));
    if (task.spec().hasFiles()) {
      env.add(RunnerContract.MAX_KEPT_FILE_SIZE + "=" + confinement.maxResult().bytes());
    }
    env.add(
        RunnerContract.INPUTS + "=" + json.writeValueAsString(TaskInputs.containerLocations(task)));
    env.addAll(digestEnvironment(task));
    stagedPayload(task)
        .ifPresent(
            payload ->
                env.add(
                    payload.length <= INLINE_PAYLOAD_LIMIT
                        ? RunnerContract.PAYLOAD_JSON
                            + "="
                            + new String(payload, StandardCharsets.UTF_8)
                        : RunnerContract.PAYLOAD + "=" + ContainerSpec.PAYLOAD_FILE));
    if (sweepIndex != null) {
      labels.put(SWEEP_INDEX_LABEL, Integer.toString(sweepIndex));
      env.add(RunnerContract.SWEEP_INDEX + "=" + sweepIndex);
    }
    return ContainerSpec.of(
        confinement,
        task.imageRef(),
        name(task, attempt, sweepIndex),
        labels,
        env,
        s.memoryMib(),
        cpus,
        s.numGpus());
  }

  /**
   * What {@code task}'s container finds in its volume beside the empty output directory, by path
   * relative to the volume: the staged payload when it is too large for the environment, the
   * results of the tasks it depends on, and the copies of the uploads its {@code files} name.
   */
  Map<String, byte[]> files(Task task) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    stagedPayload(task)
        .filter(payload -> payload.length > INLINE_PAYLOAD_LIMIT) // else it is in the environment
        .ifPresent(
            payload -> files.put(ContainerVolume.relative(ContainerSpec.PAYLOAD_FILE), payload));
    if (!task.dependsOn().isEmpty()) {
      String dir = ContainerVolume.relative(TaskInputs.CONTAINER_DIR);
      inputs
          .files(task)
          .forEach(
              (key, result) ->
                  result.forEach((name, bytes) -> files.put(dir + "/" + key + "/" + name, bytes)));
    }
    if (task.spec().hasFiles()) {
      String uploads = ContainerVolume.relative(TaskInputs.UPLOADS_DIR);
      inputs.uploads(task).forEach((id, bytes) -> files.put(uploads + "/" + id, bytes));
    }
    return files;
  }

  /**
   * What the runner checks the payload and its inputs against: the payload's SHA-256 and, for a
   * workflow task, the digests of its dependencies' results as the service collected them.
   */
  private List<String> digestEnvironment(Task task) {
    List<String> env = new ArrayList<>();
    env.add(ResultDigests.PAYLOAD_SHA256_ENV + "=" + TaskPayload.digest(task, json));
    if (!task.dependsOn().isEmpty()) {
      String digests =
          json.writeValueAsString(
              TaskInputs.digests(TaskInputs.taken(task, inputs.dependencies(task))));
      // the service checks every input it copies in; the runner checks them again when they fit
      // in one environment string (a task with hundreds of inputs would pass Linux's limit)
      if (digests.length() <= INLINE_PAYLOAD_LIMIT) {
        env.add(ResultDigests.INPUT_SHA256_ENV + "=" + digests);
      }
    }
    return env;
  }

  /** The payload a staged task's container reads; empty for a baked task (its image has it). */
  private Optional<byte[]> stagedPayload(Task task) {
    return task.spec().payloadMode() == PayloadMode.STAGED
        ? Optional.of(TaskPayload.json(task, json))
        : Optional.empty();
  }
}
