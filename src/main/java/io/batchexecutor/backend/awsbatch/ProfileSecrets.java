package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.config.TenancyProperties;
import io.batchexecutor.task.InvalidTaskException;
import io.batchexecutor.task.InvalidTaskException.Violation;
import io.batchexecutor.task.TaskEnvironment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.batch.model.Secret;

/**
 * The secrets each execution profile's tasks may ask for ({@code
 * batch-executor.execution-profiles.<name>.awsbatch.secrets}): environment variable name to the ARN
 * of a Secrets Manager secret or an SSM parameter. A task's definition carries the ones it names as
 * {@code secrets} ({@code valueFrom} the ARN), which ECS resolves with the execution role when the
 * container starts: the values never pass through the service. Only the names are ever shown.
 */
final class ProfileSecrets {

  static final ProfileSecrets NONE = new ProfileSecrets(Map.of());

  private static final Pattern SECRETS_MANAGER =
      Pattern.compile(
          "^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}"
              + "(:[^:\\s]*:[^:\\s]*:[^:\\s]*)?$");
  private static final Pattern SSM_PARAMETER =
      Pattern.compile("^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\\d{12}:parameter/[A-Za-z0-9/_.-]{1,2048}$");

  /** Each profile's secrets, by environment variable name (sorted). */
  private final Map<String, Map<String, String>> byProfile;

  ProfileSecrets(Map<String, Map<String, String>> byProfile) {
    this.byProfile = Map.copyOf(byProfile);
  }

  /**
   * Each execution profile's secrets, checked: a name a task may not set or an ARN of neither form
   * stops the service, naming the setting (never the ARN, which may say more than the operator
   * wants logged).
   */
  static ProfileSecrets of(TenancyProperties tenancy) {
    Map<String, Map<String, String>> byProfile = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    tenancy
        .executionProfiles()
        .forEach(
            (profile, settings) -> {
              String at = "batch-executor.execution-profiles." + profile + ".awsbatch.secrets.";
              Map<String, String> secrets = new TreeMap<>();
              settings
                  .awsbatch()
                  .secrets()
                  .forEach(
                      (name, arn) -> {
                        Optional<String> problem = TaskEnvironment.nameProblem(name);
                        if (problem.isPresent()) {
                          problems.add(at + name + ": the name " + problem.get());
                        } else if (!isArn(arn)) {
                          problems.add(
                              at
                                  + name
                                  + " must be the ARN of a Secrets Manager secret"
                                  + " (arn:aws:secretsmanager:region:account:secret:name) or of an"
                                  + " SSM parameter (arn:aws:ssm:region:account:parameter/name)");
                        } else {
                          secrets.put(name, arn);
                        }
                      });
              if (!secrets.isEmpty()) {
                byProfile.put(profile, secrets);
              }
            });
    if (!problems.isEmpty()) {
      throw new IllegalStateException("Invalid secrets: " + String.join("; ", problems));
    }
    return new ProfileSecrets(byProfile);
  }

  static boolean isArn(String arn) {
    return arn != null
        && (SECRETS_MANAGER.matcher(arn).matches() || SSM_PARAMETER.matcher(arn).matches());
  }

  /** The secrets' names {@code profile} gives, sorted. */
  List<String> names(String profile) {
    return List.copyOf(byProfile.getOrDefault(profile, Map.of()).keySet());
  }

  /** The problems of the secrets {@code effective} names: each one its profile does not give. */
  List<Violation> problems(TaskSettings effective) {
    List<String> asked = effective.secrets();
    if (asked == null || asked.isEmpty()) {
      return List.of();
    }
    List<String> given = names(effective.executionProfile());
    List<Violation> problems = new ArrayList<>();
    for (int i = 0; i < asked.size(); i++) {
      if (!given.contains(asked.get(i))) {
        problems.add(
            new Violation(
                "executor.secrets[" + i + "]",
                "is not a secret of execution profile "
                    + effective.executionProfile()
                    + (given.isEmpty()
                        ? ", which gives none"
                        : "; it gives: " + String.join(", ", new java.util.TreeSet<>(given))),
                InvalidTaskException.SECRET_NOT_ALLOWED));
      }
    }
    return problems;
  }

  /**
   * A secret {@code settings} names that its profile no longer gives (the configuration changed
   * since the task was accepted), if there is one.
   */
  Optional<String> missing(TaskSettings settings) {
    if (settings.secrets() == null) {
      return Optional.empty();
    }
    List<String> given = names(settings.executionProfile());
    return settings.secrets().stream().filter(n -> !given.contains(n)).findFirst();
  }

  /**
   * The definition's {@code secrets} for {@code settings}: each secret it names that its profile
   * gives, sorted by name (the fingerprint must not depend on the request's order), {@code
   * valueFrom} its ARN.
   */
  List<Secret> forTask(TaskSettings settings) {
    if (settings.secrets() == null || settings.secrets().isEmpty()) {
      return List.of();
    }
    Map<String, String> given = byProfile.getOrDefault(settings.executionProfile(), Map.of());
    return settings.secrets().stream()
        .sorted()
        .distinct()
        .filter(given::containsKey)
        .map(name -> Secret.builder().name(name).valueFrom(given.get(name)).build())
        .toList();
  }
}
