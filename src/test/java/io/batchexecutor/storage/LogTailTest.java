package io.batchexecutor.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The last lines of a stored log are found by reading from its end, not the whole log. */
class LogTailTest {

  @TempDir Path root;

  /** A local store that counts the bytes read out of it. */
  static final class CountingStore extends LocalObjectStore {
    final AtomicLong read = new AtomicLong();

    CountingStore(Path root) {
      super(root);
    }

    @Override
    public Optional<InputStream> open(URI pointer, long from, long to) {
      return super.open(pointer, from, to).map(this::counted);
    }

    @Override
    public Optional<byte[]> get(URI pointer) {
      Optional<byte[]> bytes = super.get(pointer);
      bytes.ifPresent(b -> read.addAndGet(b.length));
      return bytes;
    }

    private InputStream counted(InputStream in) {
      return new FilterInputStream(in) {
        @Override
        public int read() throws IOException {
          int b = super.read();
          if (b >= 0) {
            read.incrementAndGet();
          }
          return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          int n = super.read(b, off, len);
          if (n > 0) {
            read.addAndGet(n);
          }
          return n;
        }
      };
    }
  }

  CountingStore store;
  ObjectStores stores;

  String stored(String text) {
    store = new CountingStore(root);
    stores = new ObjectStores(store, List.of(store));
    return store.put("b", "logs.txt", text.getBytes(StandardCharsets.UTF_8)).toString();
  }

  String tail(String pointer, int lines) throws IOException {
    long from = LogTail.start(stores, pointer, lines).orElseThrow();
    try (InputStream in = stores.open(pointer, from, ObjectStore.END).orElseThrow()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void theLastHundredLinesOfTenMegabytesAreFoundInTheLastChunk() throws IOException {
    StringBuilder text = new StringBuilder();
    for (int i = 0; text.length() < 10_000_000; i++) {
      text.append("line ").append(i).append(" of a long output\n");
    }
    String pointer = stored(text.toString());

    long from = LogTail.start(stores, pointer, 100).orElseThrow();

    assertThat(store.read.get()).as("bytes read to find them").isLessThanOrEqualTo(LogTail.CHUNK);
    assertThat(text.substring((int) from).lines()).hasSize(100);
    assertThat(tail(pointer, 100)).isEqualTo(LogTail.of(text.toString(), 100));
    assertThat(LogTail.of(text.toString(), 100).lines().toList().get(99))
        .isEqualTo(text.toString().lines().reduce((a, b) -> b).orElseThrow());
  }

  @Test
  void linesLongerThanAChunkAreFoundAcrossChunks() throws IOException {
    String longLine = "x".repeat(3 * LogTail.CHUNK);
    String pointer = stored("first\n" + longLine + "\n" + longLine + "\nlast\n");

    LogTail.start(stores, pointer, 2);
    assertThat(store.read.get())
        .as("the two lines and a chunk")
        .isLessThanOrEqualTo(4L * LogTail.CHUNK);
    assertThat(tail(pointer, 2)).isEqualTo(longLine + "\nlast\n");
  }

  @Test
  void aLastLineWithoutItsBreakCountsAndFewerLinesThanAskedGiveAll() throws IOException {
    String pointer = stored("one\ntwo\nthree");

    assertThat(tail(pointer, 1)).isEqualTo("three");
    assertThat(tail(pointer, 2)).isEqualTo("two\nthree");
    assertThat(tail(pointer, 10)).isEqualTo("one\ntwo\nthree");
    assertThat(tail(pointer, 0)).isEmpty();
    assertThat(LogTail.of("one\ntwo\nthree", 2)).isEqualTo("two\nthree");
    assertThat(LogTail.of("one\ntwo\n", 1)).isEqualTo("two\n");
  }

  @Test
  void anEmptyLogHasAnEmptyTailAndAMissingOneNone() throws IOException {
    String pointer = stored("");

    assertThat(tail(pointer, 5)).isEmpty();
    assertThat(LogTail.start(stores, pointer.replace("logs.txt", "gone.txt"), 5)).isEmpty();
  }
}
