package io.batchexecutor.backend.local;

import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.DeviceRequest;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import io.batchexecutor.runner.RunnerContract;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a task container is created with: what it runs, as whom, with which network, mounts
 * and limits. {@link LocalContainers} makes one per container from the task and the operator's
 * {@link ContainerConfinement}; {@link #applyTo} turns it into the engine's create call.
 *
 * @param image the image to run
 * @param name the container's name
 * @param labels its labels
 * @param env its environment, {@code NAME=value}
 * @param user {@code uid:gid}
 * @param networkMode {@code none}, {@code host} or a network's name
 * @param readOnlyRoot whether the root filesystem is read-only
 * @param noNewPrivileges whether no-new-privileges is set
 * @param capabilities the capabilities it holds (all others dropped)
 * @param pidsLimit most processes and threads; 0: no limit
 * @param memoryBytes its memory limit, swap included (no swap beyond it)
 * @param nanoCpus its CPU quota, in billionths of a CPU
 * @param gpus GPUs it asks the engine for
 * @param tmpfs writable in-memory filesystems, by path, with their mount options
 * @param filesVolume where its own volume is mounted: the files copied in before it starts and out
 *     after it ends
 * @param logFileBytes the size of each of its log files
 * @param logFiles how many log files the engine keeps
 */
record ContainerSpec(
    String image,
    String name,
    Map<String, String> labels,
    List<String> env,
    String user,
    String networkMode,
    boolean readOnlyRoot,
    boolean noNewPrivileges,
    List<Capability> capabilities,
    long pidsLimit,
    long memoryBytes,
    long nanoCpus,
    int gpus,
    Map<String, String> tmpfs,
    String filesVolume,
    long logFileBytes,
    int logFiles) {

  /** The directory of the container's own volume: payload, inputs and outputs. */
  static final String FILES_DIR = RunnerContract.VOLUME_DIR;

  /** Where the runner writes its outputs, in the container's volume. */
  static final String OUTPUT_DIR = FILES_DIR + "/out";

  /** Where a staged payload too large for the environment is copied, in the container's volume. */
  static final String PAYLOAD_FILE = FILES_DIR + "/payload.json";

  /** Where the results of the tasks a workflow task depends on are copied: {@code <dir>/<key>/}. */
  static final String INPUTS_DIR = FILES_DIR + "/inputs";

  /** The home directory of the container's user: in its {@code /tmp}. */
  static final String HOME = "/tmp";

  /**
   * The name the container's user goes by ({@code USER}, {@code LOGNAME}): it has no passwd entry.
   */
  static final String TASK_USER = "task";

  ContainerSpec {
    labels = Map.copyOf(labels);
    env = List.copyOf(env);
    capabilities = List.copyOf(capabilities);
    tmpfs = Map.copyOf(tmpfs);
  }

  /**
   * The spec of a task container: {@code confinement} for user, network and limits, the task's
   * memory and CPUs, a tmpfs {@code /tmp} (also {@code HOME}) as large as its memory limit, which
   * it counts against, and a volume of its own for the files.
   *
   * @param env the task's environment, to which {@code HOME} is added
   */
  static ContainerSpec of(
      ContainerConfinement confinement,
      String image,
      String name,
      Map<String, String> labels,
      List<String> env,
      long memoryMib,
      double cpus,
      int gpus) {
    long memoryBytes = memoryMib * 1024 * 1024;
    List<String> environment = new ArrayList<>(env);
    environment.add("HOME=" + HOME);
    // the task's uid has no entry in the image's /etc/passwd: getpass.getuser() and kin read these
    environment.add("USER=" + TASK_USER);
    environment.add("LOGNAME=" + TASK_USER);
    Map<String, String> tmpfs = new LinkedHashMap<>();
    tmpfs.put("/tmp", "rw,nosuid,nodev,mode=1777,size=" + memoryBytes);
    return new ContainerSpec(
        image,
        name,
        labels,
        environment,
        confinement.user(),
        confinement.networkMode(),
        confinement.readOnlyRoot(),
        confinement.noNewPrivileges(),
        confinement.addCapabilities(),
        confinement.pidsLimit(),
        memoryBytes,
        (long) Math.ceil(cpus * 1_000_000_000L),
        gpus,
        tmpfs,
        FILES_DIR,
        confinement.maxLogBytes() / 2,
        2);
  }

  /** The engine's host configuration of the container. */
  HostConfig hostConfig() {
    HostConfig host =
        HostConfig.newHostConfig()
            .withNetworkMode(networkMode)
            .withMemory(memoryBytes)
            .withMemorySwap(memoryBytes)
            .withNanoCPUs(nanoCpus)
            .withCapDrop(Capability.ALL)
            .withReadonlyRootfs(readOnlyRoot)
            .withTmpFs(tmpfs)
            .withMounts(List.of(new Mount().withType(MountType.VOLUME).withTarget(filesVolume)))
            .withLogConfig(
                new LogConfig(
                    LogConfig.LoggingType.JSON_FILE,
                    Map.of(
                        "max-size",
                        Long.toString(logFileBytes),
                        "max-file",
                        Integer.toString(logFiles))));
    if (!capabilities.isEmpty()) {
      host.withCapAdd(capabilities.toArray(Capability[]::new));
    }
    if (noNewPrivileges) {
      host.withSecurityOpts(List.of("no-new-privileges"));
    }
    if (pidsLimit > 0) {
      host.withPidsLimit(pidsLimit);
    }
    if (gpus > 0) {
      host.withDeviceRequests(
          List.of(new DeviceRequest().withCount(gpus).withCapabilities(List.of(List.of("gpu")))));
    }
    return host;
  }

  /** {@code create} with everything of this spec. */
  CreateContainerCmd applyTo(CreateContainerCmd create) {
    return create
        .withName(name)
        .withLabels(labels)
        .withEnv(env)
        .withUser(user)
        .withHostConfig(hostConfig());
  }
}
