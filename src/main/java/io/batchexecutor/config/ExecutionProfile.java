package io.batchexecutor.config;

import io.batchexecutor.config.BatchExecutorProperties.Backend;
import io.batchexecutor.config.ImageReferences.ImagePattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An execution profile as tasks use it, every value worked out: where its tasks run, the largest
 * resources they may ask for, the base images they may build on, and the names of the AWS resources
 * and identities they use (the job role possibly per client).
 *
 * @param name the profile's name
 * @param backend the backend its tasks run on
 * @param isDefault whether it is its backend's default profile, made from the top-level settings
 * @param baseImage the image a task is built on when its request names none
 * @param allowedBaseImages the further images a request may name
 * @param maxVcpu most virtual CPUs a task may ask for
 * @param maxMemory most memory in GB a task may ask for
 * @param maxGpus most GPUs a task may ask for
 * @param maxTimeLimit longest time limit in seconds a task may ask for
 * @param names the bucket, repository, job-definition name, queue, roles and log group of its tasks
 *     (nothing else set); the job role may hold {@link #CLIENT_PLACEHOLDER}
 */
public record ExecutionProfile(
    String name,
    Backend backend,
    boolean isDefault,
    String baseImage,
    List<ImagePattern> allowedBaseImages,
    double maxVcpu,
    double maxMemory,
    int maxGpus,
    int maxTimeLimit,
    TaskSettings names) {

  /** Stands for the task's client in a profile's job role name. */
  public static final String CLIENT_PLACEHOLDER = "{client}";

  /** The backend's name as tasks record it: local, awsbatch or none. */
  public String backendName() {
    return backend.name().toLowerCase(Locale.ROOT);
  }

  /** The profile's names for a task of {@code client}: {@code {client}} in the job role filled. */
  public TaskSettings namesFor(String client) {
    return names.withBatchJobRoleName(names.batchJobRoleName().replace(CLIENT_PLACEHOLDER, client));
  }

  /** Whether a request may name {@code reference} as its base image. */
  public boolean allowsBaseImage(String reference) {
    String normalised;
    try {
      normalised = ImageReferences.normalise(reference);
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (normalised.equals(ImageReferences.normalise(baseImage))) {
      return true;
    }
    return allowedBaseImages.stream().anyMatch(p -> p.matches(normalised));
  }

  /** The images a request may name, normalised: the base image, then the allow-list's patterns. */
  public List<String> allowedBaseImagesShown() {
    List<String> shown = new ArrayList<>();
    shown.add(ImageReferences.normalise(baseImage));
    allowedBaseImages.stream()
        .map(ImagePattern::normalised)
        .filter(p -> !shown.contains(p))
        .forEach(shown::add);
    return shown;
  }
}
