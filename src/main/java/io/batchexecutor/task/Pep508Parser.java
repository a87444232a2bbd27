package io.batchexecutor.task;

import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A recursive-descent reader of PEP 508's {@code name_req}: a name, extras, version specifiers (PEP
 * 440's versions) and an environment marker. It throws an {@link IllegalArgumentException} saying
 * what it expected where the text stops making sense; {@link Requirements} refuses URLs, paths and
 * pip options before it reads.
 */
final class Pep508Parser {

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

  private final String text;
  private int at;

  Pep508Parser(String text) {
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
