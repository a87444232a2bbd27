package io.batchexecutor.task;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The pip requirements a task may ask for: a package <em>by name</em>, as PEP 508 writes it — a
 * name, optional extras, optional version specifiers (PEP 440) and an optional environment marker,
 * such as {@code numpy==2.1.0}, {@code pandas[excel]>=2,<3} or {@code tomli; python_version <
 * "3.11"}. The package then comes from the index the service is configured with, as a wheel unless
 * the operator allows source builds, so no code of the package runs while the image is built.
 *
 * <p>Everything else pip would take on its command line is refused, each with its own reason: a URL
 * requirement ({@code pkg @ https://…}), a version-control one ({@code git+https://…}), a path or
 * archive ({@code ./x}, {@code /x}, {@code file:…}, {@code x.whl}) and any pip option ({@code -e},
 * {@code --index-url}, {@code -r}: anything that starts with {@code -}). What is left must then
 * follow PEP 508's grammar, read by {@link Pep508Parser}.
 */
public final class Requirements {

  /** The longest requirement accepted. */
  public static final int MAX_LENGTH = 200;

  private static final Pattern VCS_SCHEME =
      Pattern.compile("^(?:git|hg|svn|bzr)\\+", Pattern.CASE_INSENSITIVE);

  static final String EXAMPLE =
      "such as numpy==2.1.0, pandas[excel]>=2,<3 or tomli; python_version < \"3.11\"";

  private Requirements() {}

  /**
   * What is wrong with {@code requirement}, as the rest of a sentence that begins with the field's
   * name; empty when it may be installed.
   */
  public static Optional<String> problem(String requirement) {
    if (requirement == null || requirement.isBlank()) {
      return Optional.of("must be a package name with optional version specifiers, " + EXAMPLE);
    }
    if (requirement.length() > MAX_LENGTH) {
      return Optional.of("must be at most " + MAX_LENGTH + " characters");
    }
    if (requirement.chars().anyMatch(c -> Character.isISOControl(c) && c != '\t')) {
      return Optional.of("must be one line without control characters");
    }
    String shown = '"' + requirement + '"';
    String trimmed = requirement.strip();
    if (trimmed.startsWith("-")) {
      return Optional.of(
          "is a pip option ("
              + shown
              + "); only requirements by name are taken, "
              + EXAMPLE
              + ", and the service's configuration chooses the index");
    }
    if (VCS_SCHEME.matcher(trimmed).find()) {
      return Optional.of(
          "is a version-control requirement ("
              + shown
              + "); only packages by name from the configured index are installed, "
              + EXAMPLE);
    }
    // a marker's quoted strings may hold anything; what comes before the marker may not
    String head = trimmed.split(";", 2)[0];
    if (!trimmed.toLowerCase(Locale.ROOT).startsWith("file:")
        && (head.contains("://") || head.contains("@"))) {
      return Optional.of(
          "is a URL requirement ("
              + shown
              + "); only packages by name from the configured index are installed, "
              + EXAMPLE);
    }
    if (looksLikePath(trimmed, head)) {
      return Optional.of(
          "is a path or archive ("
              + shown
              + "); only packages by name from the configured index are installed, "
              + EXAMPLE);
    }
    try {
      new Pep508Parser(requirement).requirement();
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(
          "must be a PEP 508 requirement by name ("
              + shown
              + ": "
              + e.getMessage()
              + "), "
              + EXAMPLE);
    }
  }

  private static boolean looksLikePath(String r, String head) {
    String lower = r.toLowerCase(Locale.ROOT);
    return r.startsWith(".")
        || r.startsWith("/")
        || r.startsWith("~")
        || r.contains("\\")
        || lower.startsWith("file:")
        || lower.endsWith(".whl")
        || lower.endsWith(".zip")
        || lower.endsWith(".tar.gz")
        || lower.endsWith(".tgz")
        || lower.endsWith(".tar.bz2")
        || head.contains("/");
  }
}
