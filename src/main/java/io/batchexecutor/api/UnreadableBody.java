package io.batchexecutor.api;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.converter.HttpMessageNotReadableException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * The problem document for a request body that could not be read (one over the size limit is
 * answered before it is read, by {@link ReadBodyFirst}): an unknown field (or a setting only the
 * operator may make), a field of the wrong type, or no valid JSON at all. A field is named by its
 * path in the body, such as {@code executor.vcpu}, with {@code [i]} for an element of an array.
 */
final class UnreadableBody {

  /** Executor keys only the operator may set: a request that sends them is refused. */
  private static final Set<String> SERVER_ONLY_SETTINGS =
      Set.of("credentials", "profile", "cache_dir", "region");

  private UnreadableBody() {}

  /** The problem document that answers a body Spring could not read, for whichever cause. */
  static ProblemDetail problem(HttpMessageNotReadableException e) {
    Throwable cause = e.getCause();
    if (cause instanceof UnrecognizedPropertyException unknown) {
      return unknownField(unknown);
    }
    if (cause instanceof MismatchedInputException mismatch && !mismatch.getPath().isEmpty()) {
      return invalidField(mismatch);
    }
    String detail =
        cause instanceof StreamReadException read
            ? "the body is not valid JSON: " + read.getOriginalMessage()
            : "the body is missing or is not valid JSON";
    return Problems.of(HttpStatus.BAD_REQUEST, Problems.MALFORMED_JSON, "Malformed JSON", detail);
  }

  /** A field the request type does not have, or an executor setting only the operator may make. */
  private static ProblemDetail unknownField(UnrecognizedPropertyException unknown) {
    String field = path(unknown);
    String name = unknown.getPropertyName();
    boolean serverOnly = field.equals("executor." + name) && SERVER_ONLY_SETTINGS.contains(name);
    ProblemDetail problem =
        serverOnly
            ? Problems.of(
                HttpStatus.BAD_REQUEST,
                Problems.SETTING_NOT_ALLOWED,
                "Setting not allowed in a request",
                "executor."
                    + name
                    + " can only be set in the service's configuration, not by a request")
            : Problems.of(
                HttpStatus.BAD_REQUEST,
                Problems.UNKNOWN_FIELD,
                "Unknown field",
                "unknown field '" + field + "'" + known(unknown));
    problem.setProperty(
        "errors",
        List.of(
            Map.of(
                "field",
                field,
                "message",
                serverOnly ? "not allowed in a request" : "unknown field")));
    return problem;
  }

  /** A field whose value is not of the type it must have. */
  private static ProblemDetail invalidField(MismatchedInputException mismatch) {
    String field = path(mismatch);
    String target = mismatch.getTargetType() == null ? "value" : describe(mismatch.getTargetType());
    ProblemDetail problem =
        Problems.of(
            HttpStatus.BAD_REQUEST,
            Problems.INVALID_REQUEST,
            "Invalid field",
            field + " must be " + target);
    problem.setProperty("errors", List.of(Map.of("field", field, "message", "must be " + target)));
    return problem;
  }

  private static String path(JacksonException e) {
    StringBuilder path = new StringBuilder();
    for (JacksonException.Reference ref : e.getPath()) {
      if (ref.getPropertyName() != null) {
        if (!path.isEmpty()) {
          path.append('.');
        }
        path.append(ref.getPropertyName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.isEmpty() ? "(body)" : path.toString();
  }

  private static String known(UnrecognizedPropertyException e) {
    if (e.getKnownPropertyIds() == null || e.getKnownPropertyIds().isEmpty()) {
      return "";
    }
    return "; known fields here: "
        + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
  }

  private static String describe(Class<?> type) {
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "a whole number";
    }
    if (type == Double.class || type == double.class) {
      return "a number";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (List.class.isAssignableFrom(type)) {
      return "an array";
    }
    return "an object";
  }
}
