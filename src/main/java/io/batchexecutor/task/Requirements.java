package io.batchexecutor.task;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
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
 * {@code --index-url}, {@code -r}: anything that starts with {@code -}).
 */
public final class Requirements {

  /** The longest requirement accepted. */
  public static final int MAX_LENGTH = 200;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?");

  private static final String EPOCH_AND_RELEASE = "v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*";
  private static final String PRE = "(?:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?[0-9]*)?";
  private static final String POST = "(?:(?:-[0-9]+)|(?:[-_.]?(?:post|rev|r)[-_.]?[0-9]*))?";
  private static final String DEV = "(?:[-_.]?dev[-_.]?[0-9]*)?";
  private static final String LOCAL = "(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?";

  /** A version after {@code ==} or {@code !=}: a prefix match ({@code 2.1.*}) or a full version. */
  private static final Pattern EQUALITY_VERSION =
      Pattern.compile(
          EPOCH_AND_RELEASE + "(?:\\.\\*|" + PRE + POST + DEV + LOCAL + ")",
          Pattern.CASE_INSENSITIVE);

  /** A version after {@code ~=}: at least two release segments, no local part. */
  private static final Pattern COMPATIBLE_VERSION =
      Pattern.compile(
          "v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)+" + PRE + POST + DEV, Pattern.CASE_INSENSITIVE);

  /** A version after {@code <}, {@code <=}, {@code >}, {@code >=}: no wildcard, no local part. */
  private static final Pattern ORDERED_VERSION =
      Pattern.compile(EPOCH_AND_RELEASE + PRE + POST + DEV, Pattern.CASE_INSENSITIVE);

  /** A version after {@code ===}: compared as a string. */
  private static final Pattern ARBITRARY_VERSION = Pattern.compile("[^\\s;,)]+");

  private static final Set<String> MARKER_VARIABLES =
      Set.of(
          "python_version",
          "python_full_version",
          "os_name",
          "sys_platform",
          "platform_release",
          "platform_system",
          "platform_version",
          "platform_machine",
          "platform_python_implementation",
          "implementation_name",
          "implementation_version",
          "extra");

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
      new Parser(requirement).requirement();
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

  /**
   * A recursive-descent reader of PEP 508's {@code name_req}; it throws where it stops making
   * sense.
   */
  private static final class Parser {

    private final String text;
    private int at;

    Parser(String text) {
      this.text = text;
    }

    void requirement() {
      spaces();
      Matcher name = NAME.matcher(text).region(at, text.length());
      if (!name.lookingAt()) {
        throw fail("a package name (letters, digits, '.', '-', '_') comes first");
      }
      at = name.end();
      spaces();
      if (peek('[')) {
        extras();
        spaces();
      }
      if (peek('(')) {
        at++;
        specifiers();
        spaces();
        expect(')');
        spaces();
      } else if (startsSpecifier()) {
        specifiers();
        spaces();
      }
      if (peek(';')) {
        at++;
        marker();
        spaces();
      }
      if (at != text.length()) {
        throw fail("unexpected '" + text.charAt(at) + "'");
      }
    }

    private void extras() {
      expect('[');
      spaces();
      if (peek(']')) {
        at++;
        return;
      }
      while (true) {
        Matcher extra = NAME.matcher(text).region(at, text.length());
        if (!extra.lookingAt()) {
          throw fail("an extra's name is expected");
        }
        at = extra.end();
        spaces();
        if (peek(',')) {
          at++;
          spaces();
          continue;
        }
        expect(']');
        return;
      }
    }

    private boolean startsSpecifier() {
      return peek('<') || peek('>') || peek('=') || peek('!') || peek('~');
    }

    private void specifiers() {
      spaces();
      specifier();
      spaces();
      while (peek(',')) {
        at++;
        spaces();
        specifier();
        spaces();
      }
    }

    private void specifier() {
      String operator = operator();
      if (operator == null) {
        throw fail("a version specifier (==, !=, <=, >=, <, >, ~=, ===) is expected");
      }
      spaces();
      Pattern version =
          switch (operator) {
            case "==", "!=" -> EQUALITY_VERSION;
            case "~=" -> COMPATIBLE_VERSION;
            case "===" -> ARBITRARY_VERSION;
            default -> ORDERED_VERSION;
          };
      Matcher matched = version.matcher(text).region(at, text.length());
      if (!matched.lookingAt()) {
        throw fail("a PEP 440 version after " + operator + " is expected");
      }
      at = matched.end();
      if (at < text.length() && !endsVersion(text.charAt(at))) {
        throw fail("not a PEP 440 version after " + operator);
      }
    }

    private static boolean endsVersion(char c) {
      return c == ' ' || c == '\t' || c == ',' || c == ';' || c == ')';
    }

    private String operator() {
      for (String op : new String[] {"===", "==", "!=", "<=", ">=", "~=", "<", ">"}) {
        if (text.startsWith(op, at)) {
          at += op.length();
          return op;
        }
      }
      return null;
    }

    // marker = marker_or; marker_or = marker_and ('or' marker_and)*; marker_and = marker_expr
    // ('and' marker_expr)*; marker_expr = marker_var marker_op marker_var | '(' marker ')'
    private void marker() {
      markerAnd();
      while (keyword("or")) {
        markerAnd();
      }
    }

    private void markerAnd() {
      markerExpression();
      while (keyword("and")) {
        markerExpression();
      }
    }

    private void markerExpression() {
      spaces();
      if (peek('(')) {
        at++;
        marker();
        spaces();
        expect(')');
        return;
      }
      markerVariable();
      spaces();
      if (operator() == null && !keyword("in") && !(keyword("not") && keyword("in"))) {
        throw fail("a marker operator (==, !=, <, >, <=, >=, ~=, ===, in, not in) is expected");
      }
      spaces();
      markerVariable();
    }

    private void markerVariable() {
      spaces();
      if (peek('"') || peek('\'')) {
        char quote = text.charAt(at);
        int end = text.indexOf(quote, at + 1);
        if (end < 0) {
          throw fail("an unclosed string");
        }
        for (int i = at + 1; i < end; i++) {
          char c = text.charAt(i);
          if (c == '\\' || c > 0x7e || (c < 0x20 && c != '\t')) {
            at = i;
            throw fail("a character a marker string cannot hold");
          }
        }
        at = end + 1;
        return;
      }
      int start = at;
      while (at < text.length()
          && (Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '_')) {
        at++;
      }
      String variable = text.substring(start, at);
      if (!MARKER_VARIABLES.contains(variable)) {
        at = start;
        throw fail(
            "a marker variable (python_version, sys_platform, platform_machine, …) or a quoted"
                + " string is expected");
      }
    }

    /** Reads {@code word} as a whole word after optional spaces; false (nothing read) if absent. */
    private boolean keyword(String word) {
      int start = at;
      spaces();
      if (text.startsWith(word, at)) {
        int end = at + word.length();
        boolean whole =
            end == text.length()
                || !(Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_');
        if (whole) {
          at = end;
          return true;
        }
      }
      at = start;
      return false;
    }

    private void spaces() {
      while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
        at++;
      }
    }

    private boolean peek(char c) {
      return at < text.length() && text.charAt(at) == c;
    }

    private void expect(char c) {
      if (!peek(c)) {
        throw fail("'" + c + "' is expected");
      }
      at++;
    }

    private IllegalArgumentException fail(String what) {
      return new IllegalArgumentException(what + " at character " + (at + 1));
    }
  }
}
