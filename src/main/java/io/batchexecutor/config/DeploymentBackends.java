package io.batchexecutor.config;

import io.batchexecutor.config.BatchExecutorProperties.Backend;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The backends of a deployment ({@code batch-executor.backends}, or the former single {@code
 * batch-executor.backend}) and the ones this instance runs ({@code
 * batch-executor.instance.backends}), checked once.
 *
 * <p>Precedence: {@code backends} lists the deployment's backends; {@code backend} alone is a list
 * of one; both given, {@code backend} must be one of {@code backends} and is then the default (the
 * backend of a task that names neither a backend nor a profile), otherwise the first of {@code
 * backends} is. Neither given: {@code local}. {@code none} runs only alone. An instance runs all of
 * the deployment's backends unless it names some of them.
 *
 * @param deployment the backends the deployment's instances run, the default first
 * @param instance the ones this instance runs (a subset of {@code deployment}, in its order)
 */
public record DeploymentBackends(List<Backend> deployment, List<Backend> instance) {

  public DeploymentBackends {
    deployment = List.copyOf(deployment);
    instance = List.copyOf(instance);
  }

  /**
   * Works the settings out.
   *
   * @throws IllegalArgumentException naming the settings, when they contradict each other
   */
  public static DeploymentBackends of(
      Backend backend, List<Backend> backends, List<Backend> instanceBackends) {
    List<Backend> listed = backends == null ? List.of() : distinct(backends, "backends");
    List<Backend> deployment;
    if (listed.isEmpty()) {
      deployment = List.of(backend == null ? Backend.LOCAL : backend);
    } else if (backend == null) {
      deployment = listed;
    } else if (!listed.contains(backend)) {
      throw new IllegalArgumentException(
          "batch-executor.backend is "
              + name(backend)
              + ", which batch-executor.backends ("
              + names(listed)
              + ") does not list; set only batch-executor.backends (its first is the default), or"
              + " name one of them in batch-executor.backend");
    } else {
      List<Backend> ordered = new ArrayList<>(List.of(backend));
      listed.stream().filter(b -> b != backend).forEach(ordered::add);
      deployment = ordered;
    }
    if (deployment.contains(Backend.NONE) && deployment.size() > 1) {
      throw new IllegalArgumentException(
          "batch-executor.backends lists none with other backends ("
              + names(deployment)
              + "); none (tasks tracked but never run) is a deployment's only backend or none at"
              + " all");
    }
    List<Backend> asked =
        instanceBackends == null || instanceBackends.isEmpty()
            ? deployment
            : distinct(instanceBackends, "instance.backends");
    List<Backend> foreign = asked.stream().filter(b -> !deployment.contains(b)).toList();
    if (!foreign.isEmpty()) {
      throw new IllegalArgumentException(
          "batch-executor.instance.backends names "
              + names(foreign)
              + ", which the deployment does not run (batch-executor.backends: "
              + names(deployment)
              + "); an instance runs some of the deployment's backends");
    }
    List<Backend> instance = deployment.stream().filter(asked::contains).toList();
    return new DeploymentBackends(deployment, instance);
  }

  /** The backend of a task that names neither a backend nor a profile. */
  public Backend defaultBackend() {
    return deployment.get(0);
  }

  /** Whether the deployment runs {@code backend}. */
  public boolean lists(Backend backend) {
    return deployment.contains(backend);
  }

  /** Whether this instance runs {@code backend}'s tasks. */
  public boolean runsHere(Backend backend) {
    return instance.contains(backend);
  }

  /** The deployment's backends as tasks record them. */
  public List<String> deploymentNames() {
    return deployment.stream().map(DeploymentBackends::name).toList();
  }

  /** This instance's backends as tasks record them. */
  public List<String> instanceNames() {
    return instance.stream().map(DeploymentBackends::name).toList();
  }

  /** A backend's name as tasks record it: local, awsbatch or none. */
  public static String name(Backend backend) {
    return backend.name().toLowerCase(Locale.ROOT);
  }

  /** The backend tasks record as {@code name}, if there is one. */
  public static Optional<Backend> named(String name) {
    for (Backend b : Backend.values()) {
      if (name(b).equals(name)) {
        return Optional.of(b);
      }
    }
    return Optional.empty();
  }

  private static List<Backend> distinct(List<Backend> given, String key) {
    if (given.stream().anyMatch(b -> b == null)) {
      throw new IllegalArgumentException("batch-executor." + key + " has an empty entry");
    }
    Set<Backend> seen = new LinkedHashSet<>(given);
    return List.copyOf(seen);
  }

  private static String names(List<Backend> backends) {
    return backends.stream().map(DeploymentBackends::name).collect(Collectors.joining(","));
  }
}
