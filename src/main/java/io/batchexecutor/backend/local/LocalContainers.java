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
import io.batchexecutor.runner.RunnerContract;
import io.batchexecutor.task.Task;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.json.JsonMapper;

/**
 * The task containers on the local engine, one per attempt, named and labelled after the task: the
 * engine's calls for them (create, start, wait, kill, remove, list), each made as its {@link
 * LaunchSpecification} says.
 */
class LocalContainers {

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
  private final VolumeFiles volumeFiles;

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
    this.volumeFiles = new VolumeFiles(docker, engine, confinement);
  }

  /** The container name of an attempt: deterministic, so a re-run after a crash finds it. */
  static String name(Task task, int attempt) {
    return LaunchSpecification.name(task, attempt);
  }

  /** The container name of run {@code index} of a sweep. */
  static String name(Task task, int attempt, Integer sweepIndex) {
    return LaunchSpecification.name(task, attempt, sweepIndex);
  }

  /**
   * Creates attempt {@code attempt}'s container, or finds it created by an earlier run.
   *
   * @return its id, and whether this call created it (else it was found)
   */
  Created createOrFind(Task task, int attempt) {
    return create(task, attempt, null);
  }

  /** A container of a task, created by the call that answers it or found created before. */
  record Created(String id, boolean now) {}

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
    return create(task, attempt, sweepIndex).id();
  }

  private Created create(Task task, int attempt, Integer sweepIndex) {
    ContainerSpec spec = spec(task, attempt, sweepIndex, cpus(task));
    if (confinement.network() == TaskNetwork.BRIDGE) {
      bridge.ensure();
    }
    try {
      return new Created(
          call(() -> spec.applyTo(docker.createContainerCmd(task.imageRef())).exec().getId()),
          true);
    } catch (ConflictException e) {
      // created meanwhile under the same name
      return new Created(list.idOf(spec.name()).orElseThrow(() -> e), false);
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
    return startIfNeverStarted(task, new Created(containerId, false));
  }

  /**
   * {@link #startIfNeverStarted(Task, String)}; a container {@link Created#now created just now}
   * that needs no files is started at once: it never ran, and the runner makes its output directory
   * itself in the volume the image's open directory gave it ({@link RunnerContract#VOLUME_DIR}), on
   * an engine whose new volumes are open so ({@link VolumeFiles#opensNewVolumes}).
   */
  boolean startIfNeverStarted(Task task, Created container) {
    String containerId = container.id();
    // a container found may have run: its files are read only once it is known it never did
    Map<String, byte[]> files = container.now() ? launch.files(task) : null;
    if (files == null || !files.isEmpty() || !volumeFiles.opensNewVolumes(containerId)) {
      Optional<InspectContainerResponse> inspected = inspect(containerId);
      if (inspected.isEmpty() || !ContainerLauncher.neverStarted(inspected.get())) {
        return false;
      }
      volumeFiles.put(containerId, inspected.get(), files != null ? files : launch.files(task));
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
