package io.batchexecutor.backend.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reading a container's output on from where the last read ended, against an engine's log kept in
 * memory that answers {@code since} as the engine does (whole seconds, inclusive, in stored order)
 * and passed on as docker-java passes it on (each frame in pieces of at most 1 KiB, in one buffer
 * it reuses).
 */
class DockerLogCursorTest {

  /** A container's log as the engine keeps it: entries with their times, in stored order. */
  static final class EngineLog {
    record Entry(Instant time, StreamType stream, String text) {}

    final List<Entry> entries = new ArrayList<>();
    final List<Integer> sinces = new ArrayList<>();

    void add(String time, String text) {
      entries.add(new Entry(Instant.parse(time), StreamType.STDOUT, text));
    }

    void addErr(String time, String text) {
      entries.add(new Entry(Instant.parse(time), StreamType.STDERR, text));
    }

    /** The engine's answer for {@code since}, joined again from docker-java's pieces. */
    List<byte[]> since(Integer since) {
      sinces.add(since);
      DockerLogCursor.Entries joined = new DockerLogCursor.Entries();
      byte[] buffer = new byte[1024];
      for (Entry e : entries) {
        if (since == null || !e.time().isBefore(Instant.ofEpochSecond(since))) {
          byte[] frame = (e.time() + " " + e.text()).getBytes(StandardCharsets.UTF_8);
          for (int at = 0; at < frame.length; at += buffer.length) {
            int length = Math.min(buffer.length, frame.length - at);
            System.arraycopy(frame, at, buffer, 0, length);
            joined.onNext(
                new Frame(
                    e.stream(), length == buffer.length ? buffer : Arrays.copyOf(buffer, length)));
          }
        }
      }
      return joined.entries();
    }
  }

  final EngineLog log = new EngineLog();
  DockerLogCursor cursor = DockerLogCursor.START;
  final StringBuilder received = new StringBuilder();

  /** One read as a follower does it: ask for {@code since}, take what is new, keep the cursor. */
  DockerLogCursor.Read read() {
    DockerLogCursor.Read read = cursor.read(log.since(cursor.since()));
    received.append(read.text());
    // the cursor travels as a string inside a LogPosition
    cursor = DockerLogCursor.decode(read.next().encode());
    return read;
  }

  @Test
  void entriesWithTheSameTimeAreEachTakenOnceAcrossReads() {
    log.add("2026-01-01T00:00:00.100000000Z", "a\n");
    log.add("2026-01-01T00:00:00.200000000Z", "b\n");
    log.addErr("2026-01-01T00:00:00.200000000Z", "c\n"); // stdout and stderr in one instant
    read();
    log.add("2026-01-01T00:00:00.200000000Z", "d\n"); // later, with the very same time
    log.add("2026-01-01T00:00:00.900000000Z", "e\n");
    read();
    read();
    log.add("2026-01-01T00:00:01.000000000Z", "f\n");
    log.add("2026-01-01T00:00:01.000000000Z", "g\n");
    read();
    log.add("2026-01-01T00:00:01.000000000Z", "h\n");
    read();

    assertThat(received.toString()).isEqualTo("a\nb\nc\nd\ne\nf\ng\nh\n");
  }

  @Test
  void thePiecesOfASplitLineJoinExactlyAndALastLineNeedsNoLineBreak() {
    // the engine splits a line of more than 16 KiB; its pieces share the line's time
    String line = "x".repeat(16_384) + "y".repeat(16_384) + "z".repeat(100);
    log.add("2026-01-01T00:00:05.5Z", "before\n");
    log.add("2026-01-01T00:00:06.25Z", line.substring(0, 16_384));
    log.add("2026-01-01T00:00:06.25Z", line.substring(16_384, 32_768));
    read();
    assertThat(received.toString()).isEqualTo("before\n" + line.substring(0, 32_768));

    log.add("2026-01-01T00:00:06.25Z", line.substring(32_768) + "\n");
    log.add("2026-01-01T00:00:07Z", "no line break at the end");
    read();

    assertThat(received.toString())
        .isEqualTo("before\n" + line + "\n" + "no line break at the end");
  }

  @Test
  void entriesAreJoinedAgainFromDockerJavasPiecesWithTheirCharactersWhole() {
    String wide = "ü€".repeat(1_000) + "\n"; // 5,001 bytes: pieces of 1 KiB cut characters
    log.add("2026-01-01T00:00:00.1Z", wide);
    log.addErr("2026-01-01T00:00:00.2Z", "on stderr\n");
    log.add("2026-01-01T00:00:00.3Z", "x".repeat(16_384)); // a split line's first piece
    log.addErr("2026-01-01T00:00:00.4Z", "between the pieces\n");
    log.add("2026-01-01T00:00:00.3Z", "end of the split line\n");

    List<byte[]> entries = log.since(null);

    assertThat(entries).hasSize(5);
    assertThat(entries.stream().map(DockerLogCursor::text).toList())
        .containsExactly(
            wide,
            "on stderr\n",
            "x".repeat(16_384),
            "between the pieces\n",
            "end of the split line\n");
  }

  @Test
  void aReadAsksOnlyFromTheSecondOfTheLastEntryTaken() {
    for (int i = 0; i < 100; i++) {
      log.add("2026-01-01T00:00:10." + String.format("%03d", i * 9) + "Z", "early " + i + "\n");
    }
    DockerLogCursor.Read first = read();
    assertThat(first.fetched()).isEqualTo(100);
    log.add("2026-01-01T00:00:11.5Z", "one\n");
    log.add("2026-01-01T00:00:12.5Z", "two\n");

    DockerLogCursor.Read second = read();
    DockerLogCursor.Read third = read();

    assertThat(log.sinces)
        .as("nothing at first, then 2026-01-01T00:00:10Z, then 00:00:12Z")
        .containsExactly(null, 1_767_225_610, 1_767_225_612);
    assertThat(second.fetched()).as("that second's 100 entries again, and the new").isEqualTo(102);
    assertThat(second.fresh()).isEqualTo(2);
    assertThat(third.fetched()).as("only the second of the last entry").isEqualTo(1);
    assertThat(third.fresh()).isZero();
    assertThat(third.text()).isEmpty();
    assertThat(received.toString()).endsWith("early 99\none\ntwo\n");
  }

  @Test
  void everyLineIsOutputAnEmptyLastOneToo() {
    log.add("2026-01-01T00:00:00.1Z", "printed\n");
    log.add("2026-01-01T00:00:00.2Z", "\n");
    read();
    assertThat(received.toString()).isEqualTo("printed\n\n");

    log.add("2026-01-01T00:00:00.3Z", "no break");
    read();
    assertThat(received.toString()).isEqualTo("printed\n\nno break");
  }

  @Test
  void anEntryWithoutItsTimeIsRefused() {
    List<byte[]> entries = List.of("no-time-here\n".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> DockerLogCursor.START.read(entries))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("without its time");
  }
}
