package io.batchexecutor.backend.local;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateNetworkCmd;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Network;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge network task containers join when the operator chose {@code
 * batch-executor.local.network=bridge}: created by the service on first use, with traffic between
 * its containers off ({@code com.docker.network.bridge.enable_icc=false}), so that one task cannot
 * reach another's listeners. A network of that name that lets containers reach each other is
 * refused rather than used.
 */
class BridgeNetwork {

  private static final Logger log = LoggerFactory.getLogger(BridgeNetwork.class);

  static final String ICC_OPTION = "com.docker.network.bridge.enable_icc";
  static final String LABEL = "io.batchexecutor.network";

  private final DockerClient docker;
  private final String name;
  private volatile boolean ready;

  BridgeNetwork(DockerClient docker, String name) {
    this.docker = docker;
    this.name = name;
  }

  /** Creates the network if it does not exist yet; checks one that does. */
  void ensure() {
    if (ready) {
      return;
    }
    synchronized (this) {
      if (ready) {
        return;
      }
      Network existing;
      try {
        existing =
            LocalContainers.call(() -> docker.inspectNetworkCmd().withNetworkId(name).exec());
      } catch (NotFoundException e) {
        existing = null;
      }
      if (existing == null) {
        try {
          LocalContainers.call(() -> describe(docker.createNetworkCmd()).exec());
          log.info("Created the network {} for task containers", name);
        } catch (ConflictException e) {
          // created meanwhile by another instance
        }
      } else {
        check(existing);
      }
      ready = true;
    }
  }

  /** {@code create} as the network of task containers: a bridge with traffic between them off. */
  CreateNetworkCmd describe(CreateNetworkCmd create) {
    return create
        .withName(name)
        .withDriver("bridge")
        .withCheckDuplicate(true)
        .withOptions(Map.of(ICC_OPTION, "false"))
        .withLabels(Map.of(LABEL, "tasks"));
  }

  /** Refuses a network of that name that is no bridge or lets containers reach each other. */
  void check(Network existing) {
    Map<String, String> options = existing.getOptions() == null ? Map.of() : existing.getOptions();
    if (!"bridge".equals(existing.getDriver()) || !"false".equals(options.get(ICC_OPTION))) {
      throw new IllegalStateException(
          "the Docker network "
              + name
              + " exists but is not a bridge with "
              + ICC_OPTION
              + "=false: task containers on it could reach each other; remove it (the service"
              + " then creates it) or name another in batch-executor.local.bridge-network");
    }
  }
}
