package io.batchexecutor.backend.local;

import com.github.dockerjava.api.model.Capability;
import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.config.BatchExecutorProperties.TaskNetwork;
import io.batchexecutor.config.ResultSizeLimit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How the operator confines task containers ({@code batch-executor.local.*}): by default a fixed
 * unprivileged user, no capabilities, no-new-privileges, a read-only root filesystem, a pids limit,
 * a capped log and no network. Each setting that loosens this is a {@link #relaxations()
 * relaxation}, warned of at start and shown in the health details.
 *
 * @param uid the user id task containers run as
 * @param gid their group id
 * @param network their network
 * @param bridgeNetwork the Docker network they join when {@code network} is bridge
 * @param readOnlyRoot whether their root filesystem is read-only
 * @param noNewPrivileges whether they run with no-new-privileges
 * @param addCapabilities the capabilities given back after all are dropped
 * @param pidsLimit most processes and threads at once; 0: no limit
 * @param maxLogBytes most of their output the engine keeps
 * @param maxResult the largest result file the service takes from them
 */
record ContainerConfinement(
    long uid,
    long gid,
    TaskNetwork network,
    String bridgeNetwork,
    boolean readOnlyRoot,
    boolean noNewPrivileges,
    List<Capability> addCapabilities,
    long pidsLimit,
    long maxLogBytes,
    ResultSizeLimit maxResult) {

  ContainerConfinement {
    addCapabilities = List.copyOf(addCapabilities);
  }

  /** The confinement the settings describe; an unknown capability stops start-up, named. */
  static ContainerConfinement of(BatchExecutorProperties properties) {
    BatchExecutorProperties.Local local = properties.local();
    String[] user = local.user().split(":");
    List<Capability> capabilities = new ArrayList<>();
    for (String name : local.addCapabilities()) {
      String normalised = name.toUpperCase(Locale.ROOT);
      if (normalised.startsWith("CAP_")) {
        normalised = normalised.substring(4);
      }
      try {
        Capability capability = Capability.valueOf(normalised);
        if (capability == Capability.ALL) {
          throw new IllegalArgumentException(name);
        }
        capabilities.add(capability);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "batch-executor.local.add-capabilities: "
                + name
                + " is not a Linux capability (ALL is not accepted: name each one)",
            e);
      }
    }
    return new ContainerConfinement(
        Long.parseLong(user[0]),
        Long.parseLong(user[1]),
        local.network(),
        local.bridgeNetwork(),
        local.readOnlyRoot(),
        local.noNewPrivileges(),
        capabilities,
        local.pidsLimit(),
        local.maxLogSize().toBytes(),
        ResultSizeLimit.of(properties));
  }

  /** The defaults of {@code batch-executor.local.*}. */
  static ContainerConfinement defaults() {
    return new ContainerConfinement(
        10001,
        10001,
        TaskNetwork.NONE,
        "batch-executor-tasks",
        true,
        true,
        List.of(),
        512,
        16L << 20,
        new ResultSizeLimit(
            ResultSizeLimit.DEFAULT.toBytes(), "batch-executor.storage.max-result-size"));
  }

  /** The user as the engine takes it: {@code uid:gid}. */
  String user() {
    return uid + ":" + gid;
  }

  /** The engine's network mode: {@code none}, {@code host} or the bridge network's name. */
  String networkMode() {
    return switch (network) {
      case NONE -> "none";
      case HOST -> "host";
      case BRIDGE -> bridgeNetwork;
    };
  }

  /**
   * What this confinement leaves open that the defaults close, one sentence each with the setting
   * that does it; empty for the defaults.
   */
  List<String> relaxations() {
    List<String> relaxed = new ArrayList<>();
    if (uid == 0) {
      relaxed.add("batch-executor.local.user=" + user() + ": task containers run as root");
    }
    switch (network) {
      case HOST ->
          relaxed.add(
              "batch-executor.local.network=host: task containers share the host's network and"
                  + " reach everything it listens on, its loopback included (this service, its"
                  + " database) and the cloud metadata service");
      case BRIDGE ->
          relaxed.add(
              "batch-executor.local.network=bridge: task containers reach other hosts through"
                  + " the network "
                  + bridgeNetwork
                  + ", the host's listeners on 0.0.0.0 and the cloud metadata service unless the"
                  + " host's firewall blocks them");
      case NONE -> {
        // the default
      }
    }
    if (!readOnlyRoot) {
      relaxed.add(
          "batch-executor.local.read-only-root=false: task containers may write to their root"
              + " filesystem");
    }
    if (!noNewPrivileges) {
      relaxed.add(
          "batch-executor.local.no-new-privileges=false: a setuid program in a task image gains"
              + " its privileges");
    }
    if (!addCapabilities.isEmpty()) {
      relaxed.add(
          "batch-executor.local.add-capabilities="
              + String.join(",", addCapabilities.stream().map(Enum::name).toList())
              + ": task containers hold these capabilities");
    }
    if (pidsLimit == 0) {
      relaxed.add(
          "batch-executor.local.pids-limit=0: a task container may start processes until the"
              + " host has none left");
    }
    return relaxed;
  }

  /** The confinement as the health details show it. */
  Map<String, Object> details() {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("user", user());
    details.put("network", network.name().toLowerCase(Locale.ROOT));
    if (network == TaskNetwork.BRIDGE) {
      details.put("bridge_network", bridgeNetwork);
    }
    details.put("read_only_root", readOnlyRoot);
    details.put("no_new_privileges", noNewPrivileges);
    details.put("capabilities", addCapabilities.stream().map(Enum::name).toList());
    details.put("pids_limit", pidsLimit);
    details.put("max_log_bytes", maxLogBytes);
    details.put("relaxations", relaxations());
    return details;
  }
}
