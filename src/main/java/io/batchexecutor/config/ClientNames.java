package io.batchexecutor.config;

import java.util.regex.Pattern;

/**
 * The grammar of client and execution-profile names: 1-32 lowercase letters, digits and '-',
 * starting with a letter or digit. Both go into object keys, IAM role names, container labels and
 * metric tags, so they are held to what all of those accept.
 */
public final class ClientNames {

  /** A client's or an execution profile's name. */
  public static final String GRAMMAR = "^[a-z0-9][a-z0-9-]{0,31}$";

  public static final String CLIENT_MESSAGE =
      "must be 1-32 lowercase letters, digits and '-', starting with a letter or digit";
  public static final String PROFILE_MESSAGE =
      "must be the name of an execution profile: 1-32 lowercase letters, digits and '-'";

  private static final Pattern PATTERN = Pattern.compile(GRAMMAR);

  private ClientNames() {}

  /** Whether {@code name} follows the grammar. */
  public static boolean valid(String name) {
    return name != null && PATTERN.matcher(name).matches();
  }

  /**
   * {@code name}, if it follows the grammar.
   *
   * @param where the setting that names it, for the start-up error
   * @throws IllegalStateException naming the setting and the name otherwise
   */
  public static String checked(String name, String where) {
    if (!valid(name)) {
      throw new IllegalStateException(
          where
              + ": '"
              + printable(name)
              + "' is not a valid name: it "
              + CLIENT_MESSAGE
              + " (names go into object keys, role names, labels and metric tags)");
    }
    return name;
  }

  private static String printable(String name) {
    if (name == null) {
      return "";
    }
    String shown = name.length() > 64 ? name.substring(0, 64) + "..." : name;
    return shown.replaceAll("\\p{Cntrl}", "?");
  }
}
