package io.batchexecutor.backend.local;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where a reader of a container's output stands in the engine's log, so that a read fetches what is
 * new rather than all of it.
 *
 * <p>The engine stores each entry (a line; or a piece of one: a line longer than 16 KiB is split,
 * and so is a last line without its line break) with its time to the nanosecond, and answers {@code
 * since} (whole seconds, inclusive) with every entry from that second on, in the order it stored
 * them, each as {@code <RFC 3339 time> <text>}; the pieces of a split line share one time. The
 * cursor is a second and how many entries from that second on were taken: a read asks for the
 * entries since that second, skips as many as were taken, and takes the rest. Each entry is taken
 * once, in the engine's order; entries with the same time (the pieces of a line, lines of stdout
 * and stderr stored in one instant) need no telling apart; and besides the new entries only those
 * of that one second are fetched again.
 */
final class DockerLogCursor {

  /** Nothing read yet: the first read asks for every entry. */
  static final DockerLogCursor START = new DockerLogCursor(null, 0);

  private final Long second;
  private final int taken;

  private DockerLogCursor(Long second, int taken) {
    this.second = second;
    this.taken = taken;
  }

  /** The {@code since} to ask the engine for: the second of the last entry taken; null at first. */
  Integer since() {
    return second == null ? null : Math.toIntExact(second);
  }

  /**
   * What a read brought: the new text, where to go on from, how many entries the engine sent and
   * how many of them were new.
   */
  record Read(String text, DockerLogCursor next, int fetched, int fresh) {}

  /**
   * Takes what is new among {@code entries}, the engine's answer for {@link #since()} with times;
   * each entry's bytes are decoded on their own, as {@link LocalContainers#logs} decodes them.
   */
  Read read(List<byte[]> entries) {
    StringBuilder text = new StringBuilder();
    long[] seconds = new long[entries.size()];
    long last = 0;
    int fresh = 0;
    for (int i = 0; i < entries.size(); i++) {
      byte[] entry = entries.get(i);
      int space = indexOf(entry, (byte) ' ', 0, entry.length);
      seconds[i] = secondOf(entry, space);
      if (i < taken) {
        continue; // taken by an earlier read
      }
      text.append(text(entry, space));
      fresh++;
      last = seconds[i];
    }
    if (fresh == 0) {
      return new Read("", this, entries.size(), 0);
    }
    int end = Math.min(entries.size(), taken) + fresh;
    int fromLast = 0;
    for (int i = 0; i < end; i++) {
      if (seconds[i] >= last) {
        fromLast++;
      }
    }
    return new Read(text.toString(), new DockerLogCursor(last, fromLast), entries.size(), fresh);
  }

  /** An entry's text: what follows its time (and the space after it). */
  static String text(byte[] entry) {
    return text(entry, indexOf(entry, (byte) ' ', 0, entry.length));
  }

  private static String text(byte[] entry, int space) {
    return new String(entry, space + 1, entry.length - space - 1, StandardCharsets.UTF_8);
  }

  private static long secondOf(byte[] entry, int space) {
    try {
      if (space > 0) {
        return OffsetDateTime.parse(new String(entry, 0, space, StandardCharsets.US_ASCII))
            .toEpochSecond();
      }
    } catch (DateTimeParseException e) {
      // told below
    }
    throw new IllegalStateException(
        "the engine sent an output line without its time: "
            + new String(Arrays.copyOf(entry, Math.min(entry.length, 60)), StandardCharsets.UTF_8));
  }

  /** The cursor as a {@link io.batchexecutor.backend.LogPosition} keeps it. */
  String encode() {
    return second == null ? "" : second + " " + taken;
  }

  static DockerLogCursor decode(String cursor) {
    if (cursor == null || cursor.isEmpty()) {
      return START;
    }
    int space = cursor.indexOf(' ');
    return new DockerLogCursor(
        Long.parseLong(cursor.substring(0, space)), Integer.parseInt(cursor.substring(space + 1)));
  }

  @Override
  public String toString() {
    return "DockerLogCursor[" + encode() + "]";
  }

  /**
   * The engine's entries, joined again from what docker-java passes on: it hands each of the
   * engine's frames on in pieces of at most 1 KiB, in a buffer it reuses. A frame of the other
   * stream ends an entry; else an entry (its time, a space, its text) ends after its text's line
   * break, where the next piece of the same split line begins (the same time again), or at the end
   * of the answer.
   */
  static final class Entries extends ResultCallback.Adapter<Frame> {

    private final List<byte[]> entries = new ArrayList<>();
    private final ByteArrayOutputStream run = new ByteArrayOutputStream();
    private StreamType stream;

    @Override
    public void onNext(Frame frame) {
      if (frame.getStreamType() != stream) {
        split();
        stream = frame.getStreamType();
      }
      run.write(frame.getPayload(), 0, frame.getPayload().length); // copied: the buffer is reused
    }

    /** The entries, once the answer is complete. */
    List<byte[]> entries() {
      split();
      return entries;
    }

    private void split() {
      byte[] bytes = run.toByteArray();
      run.reset();
      int start = 0;
      while (start < bytes.length) {
        int space = indexOf(bytes, (byte) ' ', start, bytes.length);
        if (space < 0) {
          space = bytes.length - 1; // no time: refused when read
        }
        int lineBreak = indexOf(bytes, (byte) '\n', space + 1, bytes.length);
        int end = lineBreak < 0 ? bytes.length : lineBreak + 1;
        int nextPiece = indexOf(bytes, Arrays.copyOfRange(bytes, start, space + 1), space + 1, end);
        if (nextPiece >= 0) {
          end = nextPiece;
        }
        entries.add(Arrays.copyOfRange(bytes, start, end));
        start = end;
      }
    }
  }

  private static int indexOf(byte[] bytes, byte b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** Where {@code pattern} begins in {@code bytes} between {@code from} and {@code to}; or -1. */
  private static int indexOf(byte[] bytes, byte[] pattern, int from, int to) {
    outer:
    for (int i = from; i <= to - pattern.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (bytes[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
