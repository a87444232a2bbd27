package io.batchexecutor.backend;

import java.util.Objects;

/**
 * How far a reader of a task's output got. It names the output read ({@link #source()}: a
 * container, a log stream; each attempt has its own), where the backend goes on reading it ({@link
 * #cursor()}: opaque to all but the backend that wrote it, such as a timestamp or a page token),
 * and how many characters of that output were delivered, with a fingerprint of them: enough to go
 * on in another copy of the same output, such as the one stored when the task ended, without
 * repeating or losing text.
 */
public final class LogPosition {

  /** Nothing read yet. */
  public static final LogPosition START = new LogPosition(null, null, 0, 0, 0, false);

  /** The 64-bit FNV-1a prime: the fingerprint is FNV-1a over the text's UTF-16 code units. */
  private static final long MULTIPLIER = 0x100000001B3L;

  private final String source;
  private final String cursor;
  private final long characters;
  private final long fingerprint;
  private final long fingerprintBeforeLast;
  private final boolean endsWithNewline;

  private LogPosition(
      String source,
      String cursor,
      long characters,
      long fingerprint,
      long fingerprintBeforeLast,
      boolean endsWithNewline) {
    this.source = source;
    this.cursor = cursor;
    this.characters = characters;
    this.fingerprint = fingerprint;
    this.fingerprintBeforeLast = fingerprintBeforeLast;
    this.endsWithNewline = endsWithNewline;
  }

  /** The output read; null before the first read, and for backends that name none. */
  public String source() {
    return source;
  }

  /** Where the backend reads {@link #source()} on; null before the first read. */
  public String cursor() {
    return cursor;
  }

  /** How many characters of {@link #source()} were delivered. */
  public long characters() {
    return characters;
  }

  /**
   * The chunk of new {@code text} read from {@code source} as far as {@code cursor}: it goes on
   * from this position when the source is the one read so far, else it is the beginning of that
   * source (another attempt's output).
   */
  public LogChunk next(String source, String text, String cursor, boolean caughtUp) {
    LogPosition base =
        Objects.equals(source, this.source) ? this : new LogPosition(source, null, 0, 0, 0, false);
    return new LogChunk(text, base.extended(text, cursor), caughtUp);
  }

  /**
   * What {@code whole}, an output's complete text as far as it goes (a full read, or the copy
   * stored when the task ended), holds beyond this position:
   *
   * <ul>
   *   <li>when it begins with the characters delivered, the text after them;
   *   <li>when it begins with them but for their last line break (the local runner writes one
   *       before its result frame, and the stored output leaves it out with the frame), the text
   *       after the rest of them;
   *   <li>otherwise all of it: it is another output than the one read (another attempt's).
   * </ul>
   *
   * The source and cursor stay as they are.
   */
  public LogChunk rest(String whole) {
    if (characters <= whole.length() && fingerprint(0, whole, (int) characters) == fingerprint) {
      String text = whole.substring((int) characters);
      return new LogChunk(text, extended(text, cursor), true);
    }
    if (endsWithNewline
        && characters - 1 <= whole.length()
        && fingerprint(0, whole, (int) characters - 1) == fingerprintBeforeLast) {
      String text = whole.substring((int) characters - 1);
      LogPosition without =
          new LogPosition(source, cursor, characters - 1, fingerprintBeforeLast, 0, false);
      return new LogChunk(text, without.extended(text, cursor), true);
    }
    return new LogChunk(
        whole, new LogPosition(source, cursor, 0, 0, 0, false).extended(whole, cursor), true);
  }

  private LogPosition extended(String text, String cursor) {
    if (text.isEmpty()) {
      return new LogPosition(
          source, cursor, characters, fingerprint, fingerprintBeforeLast, endsWithNewline);
    }
    int last = text.length() - 1;
    long beforeLast = fingerprint(fingerprint, text, last);
    return new LogPosition(
        source,
        cursor,
        characters + text.length(),
        step(beforeLast, text.charAt(last)),
        beforeLast,
        text.charAt(last) == '\n');
  }

  /** {@code start} extended by the first {@code length} characters of {@code text}. */
  private static long fingerprint(long start, String text, int length) {
    long h = start;
    for (int i = 0; i < length; i++) {
      h = step(h, text.charAt(i));
    }
    return h;
  }

  private static long step(long h, char c) {
    return (h ^ c) * MULTIPLIER;
  }

  @Override
  public String toString() {
    return "LogPosition[" + source + " @ " + cursor + ", " + characters + " characters]";
  }
}
