package io.batchexecutor.backend.local;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.InternalServerErrorException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Container;
import io.batchexecutor.backend.TaskInputs;
import io.batchexecutor.config.BatchExecutorProperties.TaskNetwork;
import io.batchexecutor.docker.DockerFailures;
import io.batchexecutor.docker.DockerUnavailableException;
import io.batchexecutor.task.Task;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The task containers on the local engine, one per attempt, named and labelled after the task: the
 * engine's calls for them (create, start, wait, kill, remove, list), each made as its {@link
 * LaunchSpecification} says.
 */
class LocalContainers {

  private static final Logger log = LoggerFactory.getLogger(LocalContainers.class);

  static final String TASK_LABEL = LaunchSpecification.TASK_LABEL;
  static final String ATTEMPT_LABEL = LaunchSpecification.ATTEMPT_LABEL;
  static final String SWEEP_INDEX_LABEL = LaunchSpecification.SWEEP_INDEX_LABEL;
  static final String OUTPUT_DIR = ContainerSpec.OUTPUT_DIR;
  static final int INLINE_PAYLOAD_LIMIT = LaunchSpecification.INLINE_PAYLOAD_LIMIT;

  private final DockerClient docker;
  private final LaunchSpecification launch;
  private final ContainerConfinement confinement;
  private final BridgeNetwork bridge;
  private final EngineFacts engine;
  private final ContainerList list;

  /** What the containers print and leave behind. */
  final ContainerOutput output;

  /** What the containers print, followed while they run and kept within the log's bound. */
  final LogCaptures logs;

  LocalContainers(
      DockerClient docker, TaskInputs inputs, JsonMapper json, ContainerConfinement confinement) {
    this.output = new ContainerOutput(docker, confinement.maxResult());
    this.logs = new LogCaptures(docker, confinement.maxLogBytes());
    this.docker = docker;
    this.launch = new LaunchSpecification(inputs, json, confinement);
    this.confinement = confinement;
    this.bridge = new BridgeNetwork(docker, confinement.bridgeNetwork());
    this.engine = new EngineFacts(docker);
    this.list = new ContainerList(docker);
  }

  /** The container name of an attempt: deterministic, so a re-run after a crash finds it. */
  static String name(Task task, int attempt) {
    return LaunchSpecification.name(task, attempt);
  }

  /** The container name of run {@code index} of a sweep. */
  static String name(Task task, int attempt, Integer sweepIndex) {
    return LaunchSpecification.name(task, attempt, sweepIndex);
  }

  /** Creates attempt {@code attempt}'s container, or finds it created by an earlier run. */
  String createOrFind(Task task, int attempt) {
    return createOrFind(task, attempt, null);
  }

  /** The CPUs a container of {@code task} gets ({@link EngineFacts#cpus}). */
  double cpus(Task task) {
    return engine.cpus(task);
  }

  /** Records a {@code LIMITED} event when {@code task} asks for more CPUs than the engine has. */
  void recordCpuLimit(Task task, Instant at) {
    engine.recordCpuLimit(task, at);
  }

  /** Why a container the engine killed for exceeding the task's memory limit ended. */
  static String outOfMemory(Task task) {
    return EngineFacts.outOfMemory(task);
  }

  /** A container of one run of a sweep, and the attempt it is. */
  record SweepRun(String containerId, int attempt) {}

  /**
   * The containers of the task's sweep runs, by run index, the latest attempt first: one call to
   * the engine however many runs and attempts there are.
   */
  Map<Integer, List<SweepRun>> sweepRuns(Task task) {
    return list.sweepRuns(task);
  }

  /** Every container labelled with a task, of any task, stopped ones included. */
  List<Container> ofAnyTask() {
    return list.ofAnyTask();
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
      return list.idOf(spec.name()).orElseThrow(() -> e); // created meanwhile under the same name
    } catch (NotFoundException e) {
      throw ImageGoneException.from(e);
    }
  }

  /**
   * The container of run {@code sweepIndex} of a sweep ({@code null}: the task's one run) of
   * attempt {@code attempt}, with {@code cpus} CPUs ({@link LaunchSpecification#spec}).
   */
  ContainerSpec spec(Task task, int attempt, Integer sweepIndex, double cpus) {
    return launch.spec(task, attempt, sweepIndex, cpus);
  }

  /**
   * Starts {@code task}'s container {@code containerId} if it never started (still {@code created}
   * and never run: a container that ran is never started again, so that the function never runs
   * twice), after putting into its volume what the runner reads beside the image, owned by the
   * container's user: the empty output directory and {@link LaunchSpecification#files}. They are
   * written into the volume's directory on the engine's host where the service can ({@link
   * ContainerVolume}), else copied in by the engine. Answers whether it started the container; it
   * neither writes nor starts a container that is gone, running or ended.
   */
  boolean startIfNeverStarted(Task task, String containerId) {
    Optional<InspectContainerResponse> inspected = inspect(containerId);
    if (inspected.isEmpty() || !ContainerLauncher.neverStarted(inspected.get())) {
      return false;
    }
    Map<String, byte[]> files = launch.files(task);
    if (!writtenOnHost(inspected.get(), files)) {
      byte[] archive = ContainerFiles.tar(files, confinement.uid(), confinement.gid());
      run(
          () ->
              docker
                  .copyArchiveToContainerCmd(containerId)
                  .withTarInputStream(new ByteArrayInputStream(archive))
                  .withRemotePath(ContainerSpec.FILES_DIR)
                  .exec());
    }
    try {
      run(() -> docker.startContainerCmd(containerId).exec());
    } catch (NotModifiedException e) {
      // started meanwhile by another run of the launch
    }
    // at once (the engine follows no container before its start), before the engine's capped log
    // can have dropped its first output
    logs.follow(containerId);
    return true;
  }

  /**
   * Whether the service could see the engine's volumes on this host: unknown until a start tried,
   * false once a container's volume was not there (the engine on another host or in a VM, the
   * service in a container): its containers then get their files by the engine's copy only.
   */
  private volatile boolean volumesOnHost = true;

  /**
   * Writes {@code files} into the volume of {@code created}, a container that never started, on the
   * engine's host, when it can: nothing in the container runs that could change the volume.
   */
  private boolean writtenOnHost(InspectContainerResponse created, Map<String, byte[]> files) {
    if (!volumesOnHost || engine.remapsUsers()) {
      return false; // with user namespaces, the container's owners are not the host's
    }
    Optional<ContainerVolume> volume = ContainerVolume.onHost(created);
    if (volume.isEmpty()) {
      volumesOnHost = false;
      log.info("The engine's volumes are not on this host: task files are copied in by the engine");
      return false;
    }
    return volume.get().put(files, confinement.uid(), confinement.gid());
  }

  /** {@code path}, a path in the container's volume, relative to the volume. */
  static String inVolume(String path) {
    return ContainerVolume.relative(path);
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
    return list.of(task);
  }

  /**
   * {@code call} to the engine; a failure to reach it becomes a {@link DockerUnavailableException}.
   */
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
