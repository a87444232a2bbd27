package io.batchexecutor.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * The last lines of a stored log, found by reading it backwards from its end in chunks (ranged
 * reads of the object), so that only the part that holds them is fetched, never the whole log.
 */
public final class LogTail {

  /** The bytes read backwards at a time. */
  static final int CHUNK = 64 * 1024;

  private LogTail() {}

  /**
   * Where the last {@code lines} lines of the object at {@code pointer} begin (0 when it has no
   * more lines than that); empty when there is no such object. A last line without its line break
   * counts as a line.
   */
  public static Optional<Long> start(ObjectStores stores, String pointer, int lines) {
    var size = stores.size(pointer);
    if (size.isEmpty()) {
      return Optional.empty();
    }
    long end = size.getAsLong();
    if (lines <= 0) {
      return Optional.of(end);
    }
    int breaks = 0;
    long at = end;
    byte[] chunk = new byte[CHUNK];
    while (at > 0) {
      long from = Math.max(0, at - CHUNK);
      int length = (int) (at - from);
      read(stores, pointer, from, chunk, length);
      for (int i = length - 1; i >= 0; i--) {
        long position = from + i;
        if (chunk[i] == '\n' && position != end - 1) {
          // the break that ends a line before the last ones wanted; the last byte's does not count
          if (++breaks == lines) {
            return Optional.of(position + 1);
          }
        }
      }
      at = from;
    }
    return Optional.of(0L);
  }

  private static void read(
      ObjectStores stores, String pointer, long from, byte[] into, int length) {
    try (InputStream in =
        stores
            .open(pointer, from, from + length)
            .orElseThrow(() -> new IllegalStateException("gone while read: " + pointer))) {
      int read = in.readNBytes(into, 0, length);
      if (read < length) {
        throw new IllegalStateException("shorter than it was a moment ago: " + pointer);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + pointer, e);
    }
  }

  /** The last {@code lines} lines of {@code text}, as {@link #start} finds them in an object. */
  public static String of(String text, int lines) {
    if (lines <= 0) {
      return "";
    }
    int breaks = 0;
    for (int i = text.length() - 1; i >= 0; i--) {
      if (text.charAt(i) == '\n' && i != text.length() - 1 && ++breaks == lines) {
        return text.substring(i + 1);
      }
    }
    return text;
  }
}
