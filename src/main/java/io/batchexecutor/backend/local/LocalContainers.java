package io.batchexecutor.backend.local;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.InternalServerErrorException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Container;
import io.batchexecutor.backend.BuildImage;
import io.batchexecutor.backend.ResultDigests;
import io.batchexecutor.backend.TaskInputs;
import io.batchexecutor.config.BatchExecutorProperties.TaskNetwork;
import io.batchexecutor.config.PayloadMode;
import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.docker.DockerFailures;
import io.batchexecutor.docker.DockerUnavailableException;
import io.batchexecutor.runner.RunnerContract;
import io.batchexecutor.task.Task;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.databind.json.JsonMapper;

/** The task containers on the local engine: one per attempt, named and labelled after the task. */
class LocalContainers {

  static final String TASK_LABEL = "io.batchexecutor.task";
  static final String ATTEMPT_LABEL = "io.batchexecutor.attempt";
  static final String SWEEP_INDEX_LABEL = "io.batchexecutor.sweep-index";
  static final String OUTPUT_DIR = ContainerSpec.OUTPUT_DIR;

  private final DockerClient docker;
  private final TaskInputs inputs;
  private final JsonMapper json;
  private final ContainerConfinement confinement;
  private final BridgeNetwork bridge;

  /** What the containers print and leave behind. */
  final ContainerOutput output;

  /** What the containers print, followed while they run and kept within the log's bound. */
  final LogCaptures logs;

  LocalContainers(
      DockerClient docker, TaskInputs inputs, JsonMapper json, ContainerConfinement confinement) {
    this.output = new ContainerOutput(docker, confinement.maxResult());
    this.logs = new LogCaptures(docker, confinement.maxLogBytes());
    this.docker = docker;
    this.inputs = inputs;
    this.json = json;
    this.confinement = confinement;
    this.bridge = new BridgeNetwork(docker, confinement.bridgeNetwork());
  }

  /** The container name of an attempt: deterministic, so a re-run after a crash finds it. */
  static String name(Task task, int attempt) {
    return "batch-executor-" + task.id() + "-" + attempt;
  }

  /** The container name of run {@code index} of a sweep. */
  static String name(Task task, int attempt, Integer sweepIndex) {
    return sweepIndex == null ? name(task, attempt) : name(task, attempt) + "-s" + sweepIndex;
  }

  /** Creates attempt {@code attempt}'s container, or finds it created by an earlier run. */
  String createOrFind(Task task, int attempt) {
    return createOrFind(task, attempt, null);
  }

  /**
   * The CPUs a container of {@code task} gets: its {@code vcpu}, but no more than the engine has
   * (the engine refuses a larger limit, and on one machine more cannot be had anyway).
   */
  double cpus(Task task) {
    return Math.min(task.settings().vcpu(), engineCpus());
  }

  /** Records a {@code LIMITED} event when {@code task} asks for more CPUs than the engine has. */
  void recordCpuLimit(Task task, Instant at) {
    double asked = task.settings().vcpu();
    int engine = engineCpus();
    if (asked > engine) {
      task.record(
          "LIMITED",
          "vcpu "
              + (asked == Math.rint(asked) ? Long.toString((long) asked) : Double.toString(asked))
              + " is more than the local engine's "
              + engine
              + " CPUs; each container gets "
              + engine,
          Map.of(),
          at);
    }
  }

  private volatile Integer engineCpus;

  /** How many CPUs the engine has: asked once, on first use. */
  private int engineCpus() {
    Integer known = engineCpus;
    if (known == null) {
      Integer reported = call(() -> docker.infoCmd().exec().getNCPU());
      known = reported == null || reported < 1 ? Integer.MAX_VALUE : reported;
      engineCpus = known;
    }
    return known;
  }

  /** Why a container the engine killed for exceeding the task's memory limit ended. */
  static String outOfMemory(Task task) {
    return "out of memory: the container exceeded its limit of "
        + task.settings().memoryMib()
        + " MiB";
  }

  /** A container of one run of a sweep, and the attempt it is. */
  record SweepRun(String containerId, int attempt) {}

  /**
   * The containers of the task's sweep runs, by run index, the latest attempt first: one call to
   * the engine however many runs and attempts there are.
   */
  Map<Integer, List<SweepRun>> sweepRuns(Task task) {
    Map<Integer, List<SweepRun>> runs = new HashMap<>();
    for (Container c : labelled(Map.of(TASK_LABEL, task.id().toString()))) {
      String index = c.getLabels().get(SWEEP_INDEX_LABEL);
      String attempt = c.getLabels().get(ATTEMPT_LABEL);
      if (index != null && attempt != null) {
        runs.computeIfAbsent(Integer.valueOf(index), i -> new ArrayList<>())
            .add(new SweepRun(c.getId(), Integer.parseInt(attempt)));
      }
    }
    runs.values().forEach(l -> l.sort(Comparator.comparingInt(SweepRun::attempt).reversed()));
    return runs;
  }

  /** Every container labelled with a task, of any task, stopped ones included. */
  List<Container> ofAnyTask() {
    return call(
        () ->
            docker
                .listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(List.of(TASK_LABEL))
                .exec());
  }

  /**
   * Creates the container of run {@code sweepIndex} of a sweep ({@code null}: the task's one run),
   * or finds it created by an earlier run.
   */
  String createOrFind(Task task, int attempt, Integer sweepIndex) {
    ContainerSpec spec = spec(task, attempt, sweepIndex, cpus(task));
    if (confinement.network() == TaskNetwork.BRIDGE) {
      bridge.ensure();
    }
    try {
      return call(() -> spec.applyTo(docker.createContainerCmd(task.imageRef())).exec().getId());
    } catch (ConflictException e) {
      return idOf(spec.name()).orElseThrow(() -> e); // created meanwhile under the same name
    }
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
    env.add(RunnerContract.OUTPUT_DIR + "=" + OUTPUT_DIR);
    env.add(
        RunnerContract.MAX_LOG_SIZE
            + "="
            + Math.min(confinement.maxLogBytes(), confinement.maxResult().bytes()));
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
   * What the runner checks the payload and its inputs against: the payload's SHA-256 and, for a
   * workflow task, the digests of its dependencies' results as the service collected them.
   */
  private List<String> digestEnvironment(Task task) {
    List<String> env = new ArrayList<>();
    env.add(ResultDigests.PAYLOAD_SHA256_ENV + "=" + BuildImage.payloadDigest(task, json));
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

  /**
   * Starts {@code task}'s container {@code containerId}, after copying into its volume what the
   * runner reads beside the image, owned by the container's user: the staged payload, the results
   * of the tasks it depends on, and the empty output directory (again, if an earlier run copied
   * them: the copy is the same).
   */
  void start(Task task, String containerId) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    stagedPayload(task)
        .filter(payload -> payload.length > INLINE_PAYLOAD_LIMIT) // else it is in the environment
        .ifPresent(payload -> files.put(inVolume(ContainerSpec.PAYLOAD_FILE), payload));
    if (!task.dependsOn().isEmpty()) {
      inputs
          .files(task)
          .forEach(
              (key, result) ->
                  result.forEach(
                      (name, bytes) ->
                          files.put(
                              inVolume(TaskInputs.CONTAINER_DIR) + "/" + key + "/" + name, bytes)));
    }
    inputs
        .uploads(task)
        .forEach((id, bytes) -> files.put(inVolume(TaskInputs.UPLOADS_DIR) + "/" + id, bytes));
    byte[] archive = ContainerFiles.tar(files, confinement.uid(), confinement.gid());
    run(
        () ->
            docker
                .copyArchiveToContainerCmd(containerId)
                .withTarInputStream(new ByteArrayInputStream(archive))
                .withRemotePath(ContainerSpec.FILES_DIR)
                .exec());
    try {
      run(() -> docker.startContainerCmd(containerId).exec());
    } catch (NotModifiedException e) {
      // already started
    }
    // at once (the engine follows no container before its start), before the engine's capped log
    // can have dropped its first output
    logs.follow(containerId);
  }

  /** {@code path}, a path in the container's volume, relative to the volume. */
  static String inVolume(String path) {
    if (!path.startsWith(ContainerSpec.FILES_DIR + "/")) {
      throw new IllegalArgumentException(path + " is not in " + ContainerSpec.FILES_DIR);
    }
    return path.substring(ContainerSpec.FILES_DIR.length() + 1);
  }

  /**
   * The largest staged payload that travels in the container's environment rather than as a file
   * copied into its volume: well under Linux's limit for one environment string (128 KiB).
   */
  static final int INLINE_PAYLOAD_LIMIT = 64 * 1024;

  /** The payload a staged task's container reads; empty for a baked task (its image has it). */
  private Optional<byte[]> stagedPayload(Task task) {
    return task.spec().payloadMode() == PayloadMode.STAGED
        ? Optional.of(BuildImage.payloadJson(task, json))
        : Optional.empty();
  }

  Optional<InspectContainerResponse> inspect(String containerId) {
    try {
      return Optional.of(call(() -> docker.inspectContainerCmd(containerId).exec()));
    } catch (NotFoundException e) {
      return Optional.empty();
    }
  }

  /** Waits for the container to end, at most {@code millis}; its exit code, or empty. */
  Optional<Integer> awaitExit(String containerId, long millis) throws InterruptedException {
    var callback = docker.waitContainerCmd(containerId).start();
    try {
      if (callback.awaitCompletion(millis, java.util.concurrent.TimeUnit.MILLISECONDS)) {
        return Optional.of(callback.awaitStatusCode());
      }
      return Optional.empty();
    } finally {
      try {
        callback.close();
      } catch (IOException ignored) {
        // the wait is over either way
      }
    }
  }

  /**
   * How long a kill waits for a container to end after the engine gave up waiting itself: every
   * process of a container must get CPU to die, and hundreds of them under a small CPU quota (a
   * fork bomb at its pids limit) take seconds.
   */
  static final long KILL_WAIT_MILLIS = 120_000;

  /** Kills the container and returns once it ended (or is gone). */
  void kill(String containerId) throws InterruptedException {
    try {
      run(() -> docker.killContainerCmd(containerId).exec());
    } catch (NotFoundException | ConflictException e) {
      // gone or not running: nothing to kill
    } catch (InternalServerErrorException e) {
      // "tried to kill container, but did not receive an exit event": SIGKILL was sent, and the
      // engine stopped waiting for the processes to die before they had
      try {
        if (awaitExit(containerId, KILL_WAIT_MILLIS).isEmpty()) {
          throw e;
        }
      } catch (NotFoundException gone) {
        // removed meanwhile
      }
    }
  }

  void remove(String containerId) {
    logs.discard(containerId);
    try {
      // with its volume: the files copied in and the outputs left there
      run(
          () ->
              docker
                  .removeContainerCmd(containerId)
                  .withForce(true)
                  .withRemoveVolumes(true)
                  .exec());
    } catch (NotFoundException e) {
      // removed already
    } catch (ConflictException e) {
      // removal in progress
    }
  }

  /** Every container of the task, of any attempt. */
  List<String> containersOf(Task task) {
    return labelled(Map.of(TASK_LABEL, task.id().toString())).stream()
        .map(Container::getId)
        .toList();
  }

  private List<Container> labelled(Map<String, String> labels) {
    return call(() -> docker.listContainersCmd().withShowAll(true).withLabelFilter(labels).exec());
  }

  private Optional<String> idOf(String name) {
    return call(
        () ->
            docker
                .listContainersCmd()
                .withShowAll(true)
                .withNameFilter(List.of(name))
                .exec()
                .stream()
                .filter(c -> c.getNames() != null && List.of(c.getNames()).contains("/" + name))
                .map(Container::getId)
                .findFirst());
  }

  static <T> T call(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      if (DockerFailures.unreachable(e)) {
        throw new DockerUnavailableException(e);
      }
      throw e;
    }
  }

  private static void run(Runnable command) {
    call(
        () -> {
          command.run();
          return null;
        });
  }
}
