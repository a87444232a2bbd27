package io.batchexecutor.task;

import java.util.List;

/** A submitted task that cannot be accepted; every problem found is named with its field. */
public class InvalidTaskException extends RuntimeException {

  /**
   * One problem with one field.
   *
   * @param field the field as the client spelled it ({@code executor.vcpu}, {@code kwargs.x})
   * @param message what is wrong
   */
  public record Violation(String field, String message) {}

  private final transient List<Violation> violations;

  public InvalidTaskException(List<Violation> violations) {
    super("invalid task: " + violations);
    this.violations = List.copyOf(violations);
  }

  public List<Violation> violations() {
    return violations;
  }
}
