package io.batchexecutor.config;

import io.batchexecutor.config.BatchExecutorProperties.Backend;
import io.batchexecutor.config.ImageReferences.ImagePattern;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The execution profiles, worked out and checked once, at start-up: each of the deployment's
 * backends has a default profile named after it ({@code local}, {@code awsbatch} or {@code none})
 * made from the top-level settings, which an entry of that name under {@code
 * batch-executor.execution-profiles} refines; every other entry is a profile of its own. A
 * profile's AWS names left unset are the top-level ones (then the Covalent configuration file's,
 * then the original defaults); its maxima left unset are {@link #DEFAULT_MAX_VCPU} vCPUs, {@link
 * #DEFAULT_MAX_MEMORY} GB, no GPUs and a day. A bad profile stops the service with a message naming
 * the setting.
 */
@Component
public class ExecutionProfiles {

  static final double DEFAULT_MAX_VCPU = 16;
  static final double DEFAULT_MAX_MEMORY = 64;
  static final int DEFAULT_MAX_GPUS = 0;
  static final int DEFAULT_MAX_TIME_LIMIT = 86_400;

  /** The longest client name, to check that a role name with {client} stays a role name. */
  private static final String LONGEST_CLIENT = "c".repeat(32);

  private static final Logger log = LoggerFactory.getLogger(ExecutionProfiles.class);

  private final Map<String, ExecutionProfile> byName;
  private final ExecutionProfile defaultProfile;
  private final List<ExecutionProfile> defaults;
  private final DeploymentBackends backends;

  public ExecutionProfiles(
      BatchExecutorProperties properties,
      TenancyProperties tenancy,
      ExecutorSettingsResolver settings,
      Validator validator) {
    this.backends = properties.deployment();
    Map<String, TenancyProperties.Profile> configured = new TreeMap<>(tenancy.executionProfiles());
    Map<String, ExecutionProfile> profiles = new LinkedHashMap<>();
    List<ExecutionProfile> ownDefaults = new ArrayList<>();
    for (Backend backend : backends.deployment()) {
      String defaultName = lower(backend);
      TenancyProperties.Profile own = configured.remove(defaultName);
      ExecutionProfile resolved =
          resolve(
              defaultName,
              own == null ? empty() : own,
              backend,
              true,
              properties,
              settings,
              validator);
      profiles.put(defaultName, resolved);
      ownDefaults.add(resolved);
    }
    configured.forEach(
        (name, profile) ->
            profiles.put(
                name, resolve(name, profile, null, false, properties, settings, validator)));
    this.byName = Collections.unmodifiableMap(profiles);
    this.defaults = List.copyOf(ownDefaults);
    this.defaultProfile = defaults.get(0);
    if (profiles.size() > 1) {
      log.info("Execution profiles: {}", String.join(", ", profiles.keySet()));
    }
  }

  /** The default backend's default profile. */
  public ExecutionProfile defaultProfile() {
    return defaultProfile;
  }

  /** The default profile of each of the deployment's backends, the default backend's first. */
  public List<ExecutionProfile> defaults() {
    return defaults;
  }

  /** The default profile of {@code backend} (as tasks record it), if the deployment runs it. */
  public Optional<ExecutionProfile> defaultOf(String backend) {
    return defaults.stream().filter(p -> p.backendName().equals(backend)).findFirst();
  }

  /** The backends of the deployment and of this instance. */
  public DeploymentBackends backends() {
    return backends;
  }

  /** The profile called {@code name}, if there is one. */
  public Optional<ExecutionProfile> named(String name) {
    return Optional.ofNullable(name == null ? null : byName.get(name));
  }

  /** Every profile: the default first, then the others by name. */
  public Collection<ExecutionProfile> all() {
    return byName.values();
  }

  /**
   * The profile a stored task runs with: the one it names, else (a task accepted before profiles
   * existed, or one whose profile was removed since) its backend's default, else the default.
   */
  public ExecutionProfile of(TaskSettings settings) {
    return named(settings.executionProfile())
        .or(() -> settings.backend() == null ? Optional.empty() : defaultOf(settings.backend()))
        .orElse(defaultProfile);
  }

  private static TenancyProperties.Profile empty() {
    return new TenancyProperties.Profile(
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        new TenancyProperties.AwsBatch(null, null, null, null, null, null, null, null, null, null));
  }

  private static ExecutionProfile resolve(
      String name,
      TenancyProperties.Profile profile,
      Backend own,
      boolean isDefault,
      BatchExecutorProperties properties,
      ExecutorSettingsResolver settings,
      Validator validator) {
    String at = "batch-executor.execution-profiles." + name;
    ClientNames.checked(name, at);
    DeploymentBackends deployment = properties.deployment();
    Backend fallback = own != null ? own : deployment.defaultBackend();
    Backend backend = profile.backend() == null ? fallback : profile.backend();
    if (own != null && backend != own) {
      throw new IllegalStateException(
          at
              + ".backend is "
              + lower(backend)
              + ", but "
              + name
              + " is the default profile of the "
              + name
              + " backend; name the profile otherwise");
    }
    if (!deployment.lists(backend)) {
      throw new IllegalStateException(
          at
              + ".backend is "
              + lower(backend)
              + ", but this deployment runs "
              + String.join(",", deployment.deploymentNames())
              + " (batch-executor.backends); a profile runs on one of the deployment's backends");
    }
    for (Backend other : Backend.values()) {
      if (!deployment.lists(other) && lower(other).equals(name)) {
        throw new IllegalStateException(
            at
                + ": the name "
                + name
                + " is the default profile of the "
                + name
                + " backend, which this deployment does not run; choose another name");
      }
    }
    TaskSettings defaults = settings.defaults().task();
    TenancyProperties.AwsBatch aws = profile.awsbatch();
    TaskSettings names =
        TaskSettings.names(
                name,
                aws.s3BucketName(),
                aws.ecrRepoName(),
                aws.batchJobDefinitionName(),
                aws.batchQueue(),
                aws.batchExecutionRoleName(),
                aws.batchJobRoleName(),
                aws.batchJobLogGroupName())
            .orElse(defaults)
            .operatorsPart();
    checkNames(at, names, validator);
    String baseImage =
        profile.baseImage() != null ? profile.baseImage() : properties.image().baseImage();
    try {
      ImageReferences.normalise(baseImage);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          (profile.baseImage() != null ? at + ".base-image" : "batch-executor.image.base-image")
              + ": "
              + e.getMessage(),
          e);
    }
    List<ImagePattern> allowed = new ArrayList<>();
    List<String> patterns =
        profile.allowedBaseImages() == null ? List.of() : profile.allowedBaseImages();
    for (int i = 0; i < patterns.size(); i++) {
      try {
        allowed.add(ImagePattern.of(patterns.get(i)));
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(
            at + ".allowed-base-images[" + i + "]: " + e.getMessage(), e);
      }
    }
    ExecutionProfile resolved =
        new ExecutionProfile(
            name,
            backend,
            isDefault,
            baseImage,
            List.copyOf(allowed),
            profile.maxVcpu() != null ? profile.maxVcpu() : DEFAULT_MAX_VCPU,
            profile.maxMemory() != null ? profile.maxMemory() : DEFAULT_MAX_MEMORY,
            profile.maxGpus() != null ? profile.maxGpus() : DEFAULT_MAX_GPUS,
            profile.maxTimeLimit() != null ? profile.maxTimeLimit() : DEFAULT_MAX_TIME_LIMIT,
            names);
    checkDefaultsFit(at, resolved, defaults);
    return resolved;
  }

  /** The names must be what AWS accepts, the job role with the longest client name filled in. */
  private static void checkNames(String at, TaskSettings names, Validator validator) {
    if (names.batchExecutionRoleName().contains(ExecutionProfile.CLIENT_PLACEHOLDER)) {
      throw new IllegalStateException(
          at
              + ".awsbatch.batch-execution-role-name: {client} is allowed in batch-job-role-name"
              + " only");
    }
    TaskSettings filled =
        names.withBatchJobRoleName(
            names.batchJobRoleName().replace(ExecutionProfile.CLIENT_PLACEHOLDER, LONGEST_CLIENT));
    List<String> problems = new ArrayList<>();
    for (ConstraintViolation<TaskSettings> v : validator.validate(filled)) {
      String key = v.getPropertyPath().toString().replaceAll("([a-z0-9])([A-Z])", "$1-$2");
      problems.add(at + ".awsbatch." + key.toLowerCase(Locale.ROOT) + " " + v.getMessage());
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "Invalid execution profile: "
              + problems.stream().sorted().collect(Collectors.joining("; "))
              + (names.batchJobRoleName().contains(ExecutionProfile.CLIENT_PLACEHOLDER)
                  ? " (a job role name with {client} is checked with a 32-character client name)"
                  : ""));
    }
  }

  /** What a task gets when its request names no resources must be within the profile's maxima. */
  private static void checkDefaultsFit(String at, ExecutionProfile profile, TaskSettings defaults) {
    List<String> problems = new ArrayList<>();
    if (defaults.vcpu() > profile.maxVcpu()) {
      problems.add(at + ".max-vcpu " + profile.maxVcpu() + " < vcpu " + defaults.vcpu());
    }
    if (defaults.memory() > profile.maxMemory()) {
      problems.add(at + ".max-memory " + profile.maxMemory() + " < memory " + defaults.memory());
    }
    if (defaults.numGpus() > profile.maxGpus()) {
      problems.add(at + ".max-gpus " + profile.maxGpus() + " < num-gpus " + defaults.numGpus());
    }
    if (defaults.timeLimit() > profile.maxTimeLimit()) {
      problems.add(
          at
              + ".max-time-limit "
              + profile.maxTimeLimit()
              + " < time-limit "
              + defaults.timeLimit());
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "The default resources (batch-executor.awsbatch.*, else the Covalent configuration file,"
              + " else the original defaults) exceed an execution profile's maxima: "
              + String.join("; ", problems));
    }
  }

  private static String lower(Backend backend) {
    return backend.name().toLowerCase(Locale.ROOT);
  }
}
