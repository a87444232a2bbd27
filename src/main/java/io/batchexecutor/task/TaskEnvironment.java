package io.batchexecutor.task;

import io.batchexecutor.config.TaskSettings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules of a task's own environment variables ({@code executor.environment}) and of the names
 * of the secrets it asks for ({@code executor.secrets}), the same on every backend: names of
 * letters, digits and '_' not starting with a digit; none that the runner, the container or AWS
 * rely on ({@link #reserved}); at most {@link #MAX_VARIABLES} variables of at most {@link
 * #MAX_BYTES} bytes together (names and values, UTF-8: on AWS Batch they travel in SubmitJob) and
 * at most {@link #MAX_SECRETS} secrets. Which secrets exist is the execution profile's: the backend
 * checks that ({@link BackendTerms#refusedSettings}).
 */
public final class TaskEnvironment {

  public static final int MAX_VARIABLES = 50;
  public static final int MAX_NAME_LENGTH = 128;
  public static final int MAX_BYTES = 4096;
  public static final int MAX_SECRETS = 20;

  private static final Pattern NAME = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*$");

  /** Prefixes (compared in upper case) of names the service, the runner, Python and AWS use. */
  static final List<String> RESERVED_PREFIXES =
      List.of("BATCH_EXECUTOR_", "AWS_", "ECS_", "PYTHON", "LD_");

  /** Names (compared in upper case) the container's user and shell rely on. */
  static final Set<String> RESERVED_NAMES = Set.of("PATH", "HOME", "HOSTNAME", "USER", "SHELL");

  private TaskEnvironment() {}

  /** What {@code name} breaks as a variable name, if anything. */
  public static Optional<String> nameProblem(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
      return Optional.of("must be a name of 1-" + MAX_NAME_LENGTH + " characters");
    }
    if (!NAME.matcher(name).matches()) {
      return Optional.of("must be a name of letters, digits and '_', not starting with a digit");
    }
    return reserved(name);
  }

  /** Why {@code name} may not be set by a task, if it may not. */
  public static Optional<String> reserved(String name) {
    String upper = name.toUpperCase(Locale.ROOT);
    for (String prefix : RESERVED_PREFIXES) {
      if (upper.startsWith(prefix)) {
        return Optional.of(
            "is reserved: names starting with "
                + prefix
                + " are set by the service, Python or AWS");
      }
    }
    if (RESERVED_NAMES.contains(upper)) {
      return Optional.of("is reserved: the container's " + upper + " is not the task's to set");
    }
    return Optional.empty();
  }

  /** The problems of {@code requested}'s environment and secrets' names, each naming its field. */
  static List<InvalidTaskException.Violation> problems(TaskSettings requested) {
    List<InvalidTaskException.Violation> problems = new ArrayList<>();
    Map<String, String> environment = requested.environment();
    if (environment != null) {
      if (environment.size() > MAX_VARIABLES) {
        problems.add(
            new InvalidTaskException.Violation(
                "executor.environment", "must have at most " + MAX_VARIABLES + " variables"));
      }
      long bytes = 0;
      for (Map.Entry<String, String> e : environment.entrySet()) {
        String field = "executor.environment." + e.getKey();
        Optional<String> problem = nameProblem(e.getKey());
        if (problem.isPresent()) {
          problems.add(violation(field, e.getKey(), problem.get()));
        } else if (e.getValue() == null) {
          problems.add(new InvalidTaskException.Violation(field, "must be a string"));
        } else if (e.getValue().indexOf('\0') >= 0) {
          problems.add(new InvalidTaskException.Violation(field, "must not contain NUL"));
        }
        bytes += utf8(e.getKey()) + (e.getValue() == null ? 0 : utf8(e.getValue()));
      }
      if (bytes > MAX_BYTES) {
        problems.add(
            new InvalidTaskException.Violation(
                "executor.environment",
                "must be at most "
                    + MAX_BYTES
                    + " bytes, names and values together (is "
                    + bytes
                    + ")"));
      }
    }
    List<String> secrets = requested.secrets();
    if (secrets != null) {
      if (secrets.size() > MAX_SECRETS) {
        problems.add(
            new InvalidTaskException.Violation(
                "executor.secrets", "must name at most " + MAX_SECRETS + " secrets"));
      }
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < secrets.size(); i++) {
        String name = secrets.get(i);
        String field = "executor.secrets[" + i + "]";
        Optional<String> problem = nameProblem(name);
        if (problem.isPresent()) {
          problems.add(violation(field, name, problem.get()));
        } else if (!seen.add(name)) {
          problems.add(new InvalidTaskException.Violation(field, "names " + name + " twice"));
        } else if (environment != null && environment.containsKey(name)) {
          problems.add(
              new InvalidTaskException.Violation(
                  field, "names " + name + ", which executor.environment sets too"));
        }
      }
    }
    return problems;
  }

  private static InvalidTaskException.Violation violation(
      String field, String name, String problem) {
    boolean reserved = name != null && reserved(name).isPresent();
    return new InvalidTaskException.Violation(
        field, problem, reserved ? InvalidTaskException.ENVIRONMENT_RESERVED : null);
  }

  private static long utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
