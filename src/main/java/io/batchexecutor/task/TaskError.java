package io.batchexecutor.task;

/**
 * Why a task failed: the Python exception raised by the user's function, or the service's own
 * account of an infrastructure failure. Stored once, with the task, and bounded: a message keeps
 * its beginning and a traceback its end (the frames nearest the raise), each in at most {@value
 * #MAX_MESSAGE} and {@value #MAX_TRACEBACK} characters, saying how much was dropped; a function
 * that raises an exception of many megabytes cannot make the task's row, its answers or its
 * listings grow with it.
 *
 * @param type the exception type (e.g. {@code ValueError}) or kind of failure
 * @param message its message
 * @param traceback the Python traceback, when there is one
 */
public record TaskError(String type, String message, String traceback) {

  /** The most characters of a message that are kept: its beginning. */
  public static final int MAX_MESSAGE = 65_536;

  /** The most characters of a traceback that are kept: its end. */
  public static final int MAX_TRACEBACK = 262_144;

  /** The most characters of a type that are kept. */
  static final int MAX_TYPE = 1_024;

  public TaskError {
    type = StorableText.of(head(type, MAX_TYPE));
    message = StorableText.of(head(message, MAX_MESSAGE));
    traceback = StorableText.of(tail(traceback, MAX_TRACEBACK));
  }

  /** Room kept for the line that says how much was dropped. */
  static final int MARKER = 64;

  /**
   * {@code text} in at most {@code max} characters: its beginning, and a line saying how many
   * characters followed. Text that fits is kept as it is, so bounding twice changes nothing.
   */
  public static String head(String text, int max) {
    if (text == null || text.length() <= max) {
      return text;
    }
    int end = max - MARKER;
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end) + "\n[" + (text.length() - end) + " more characters dropped]";
  }

  /**
   * {@code text} in at most {@code max} characters: a line saying how many characters came before,
   * and its end. Text that fits is kept as it is.
   */
  static String tail(String text, int max) {
    if (text == null || text.length() <= max) {
      return text;
    }
    int start = text.length() - (max - MARKER);
    if (Character.isLowSurrogate(text.charAt(start))) {
      start++;
    }
    return "[" + start + " earlier characters dropped]\n" + text.substring(start);
  }
}
