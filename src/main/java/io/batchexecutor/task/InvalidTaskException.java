package io.batchexecutor.task;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/** A submitted task that cannot be accepted; every problem found is named with its field. */
public class InvalidTaskException extends RuntimeException {

  /** The kind of a request for an execution profile the client may not use. */
  public static final String PROFILE_NOT_ALLOWED = "execution-profile-not-allowed";

  /** The kind of a request for a backend the deployment does not run. */
  public static final String BACKEND_NOT_LISTED = "backend-not-available";

  /** The kind of a request whose backend and execution profile contradict each other. */
  public static final String BACKEND_MISMATCH = "backend-profile-mismatch";

  /** The kind of a request naming what only the operator sets (a role, queue, bucket, ...). */
  public static final String SETTING_NOT_ALLOWED = "setting-not-allowed";

  /** The kind of a request for more resources than its execution profile allows. */
  public static final String ABOVE_MAXIMUM = "resource-above-maximum";

  /** The kind of a request for a base image its execution profile does not allow. */
  public static final String BASE_IMAGE_NOT_ALLOWED = "base-image-not-allowed";

  /** The kind of a request for resources its profile's platform does not offer (Fargate). */
  public static final String NOT_ON_PLATFORM = "not-on-platform";

  /** The kind of a request whose execution profile cannot run tasks now (its queue). */
  public static final String PROFILE_UNUSABLE = "execution-profile-unusable";

  /** The kind of a request setting an environment variable the service, Python or AWS uses. */
  public static final String ENVIRONMENT_RESERVED = "environment-name-reserved";

  /** The kind of a request for a secret its execution profile does not give. */
  public static final String SECRET_NOT_ALLOWED = "secret-not-allowed";

  /**
   * One problem with one field.
   *
   * @param field the field as the client spelled it ({@code executor.vcpu}, {@code kwargs.x})
   * @param message what is wrong
   * @param kind the kind of problem when it has one of its own (one of this class's constants),
   *     else {@code null}: a field that breaks a rule
   */
  public record Violation(String field, String message, @JsonIgnore String kind) {

    public Violation(String field, String message) {
      this(field, message, null);
    }

    /** The same problem, its field under {@code prefix} ({@code tasks.a.}). */
    public Violation under(String prefix) {
      return new Violation(prefix + field, message, kind);
    }
  }

  private final transient List<Violation> violations;

  public InvalidTaskException(List<Violation> violations) {
    super("invalid task: " + violations);
    this.violations = List.copyOf(violations);
  }

  public List<Violation> violations() {
    return violations;
  }
}
