package io.batchexecutor.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class BoundedLogTest {

  @Test
  void outputWithinTheBoundIsKeptWholeAsItCame() throws IOException {
    try (BoundedLog log = new BoundedLog(100)) {
      for (int i = 0; i < 10; i++) {
        log.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
      }
      Path file = log.finish();
      assertThat(Files.readString(file))
          .isEqualTo(
              "line 0\nline 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9\n");
      assertThat(log.dropped()).isZero();
    }
  }

  @Test
  void outputOverTheBoundKeepsItsHeadAndTailAndSaysHowMuchWentBetween() throws IOException {
    int max = 64 * 1024;
    StringBuilder all = new StringBuilder();
    try (BoundedLog log = new BoundedLog(max)) {
      for (int i = 0; i < 100_000; i++) {
        String line = "line " + i + "\n";
        all.append(line);
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        // in pieces of every size, as the engine's frames come
        log.write(bytes, 0, 3);
        log.write(bytes, 3, bytes.length - 3);
      }
      String kept = Files.readString(log.finish());
      long dropped = all.length() - max;
      assertThat(log.dropped()).isEqualTo(dropped);
      assertThat(log.received()).isEqualTo(all.length());
      String line =
          new String(BoundedLog.droppedLine(dropped, max / 2, false), StandardCharsets.UTF_8);
      int at = kept.indexOf("[batch-executor: ");
      assertThat(kept.substring(0, at).replaceAll("\n$", ""))
          .as("the head, with a line break added where it ends within a line")
          .isEqualTo(all.substring(0, max / 2).replaceAll("\n$", ""));
      assertThat(kept.substring(at)).isEqualTo(line + all.substring(all.length() - max / 2));
      assertThat(kept.length()).isLessThanOrEqualTo(max + line.length() + 1);
      assertThat(line)
          .isEqualTo(
              "[batch-executor: at least "
                  + dropped
                  + " bytes of output dropped here; the log keeps the first and last 32768 bytes"
                  + " — batch-executor.local.max-log-size]\n");
    }
  }

  @Test
  void itsLastBytesComeFromTheHeadAndTheRingAlike() throws IOException {
    try (BoundedLog log = new BoundedLog(20)) {
      log.write("0123456789abc".getBytes(StandardCharsets.UTF_8));
      assertThat(new String(log.lastBytes(5), StandardCharsets.UTF_8)).isEqualTo("89abc");
      assertThat(new String(log.lastBytes(50), StandardCharsets.UTF_8)).isEqualTo("0123456789abc");
      log.write("defghijklmnopq".getBytes(StandardCharsets.UTF_8));
      assertThat(new String(log.lastBytes(4), StandardCharsets.UTF_8)).isEqualTo("nopq");
      assertThat(new String(log.lastBytes(50), StandardCharsets.UTF_8)).isEqualTo("hijklmnopq");
    }
  }

  @Test
  void anotherLogsTailCanEndIt() throws IOException {
    try (BoundedLog followed = new BoundedLog(20);
        BoundedLog kept = BoundedLog.tailOnly(10)) {
      followed.write("head line\nmore than fits".getBytes(StandardCharsets.UTF_8));
      kept.write("...the real end\n".getBytes(StandardCharsets.UTF_8));

      String log = Files.readString(followed.finishWithTailOf(kept, 1234));

      assertThat(log)
          .startsWith("head line\n[batch-executor: at least 1234 bytes")
          .endsWith("max-log-size]\n real end\n");
    }
  }

  @Test
  void deletingRemovesItsFiles() throws IOException {
    BoundedLog log = new BoundedLog(1024);
    log.write("something\n".getBytes(StandardCharsets.UTF_8));
    Path file = log.finish();
    assertThat(file).exists();
    log.close();
    assertThat(file).doesNotExist();
  }
}
