package io.batchexecutor.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The floor beneath every commit: how long the file system that holds the database takes to make
 * one small write durable. A thread rewrites the same 4 KiB block of a file beside the database and
 * {@code fdatasync}s it ({@link FileChannel#force force(false)}) every 20 ms, as PostgreSQL flushes
 * its write-ahead log at each commit; each flush's start and length are kept, so that a window of
 * the benchmark can say what the disk did while it ran.
 */
final class DiskFlushes implements AutoCloseable {

  private static final long EVERY_MS = 20;

  private final Path file;
  private final Thread probe;
  private final List<long[]> flushes = new ArrayList<>(); // {start, length} in nanoseconds
  private volatile boolean running = true;

  private DiskFlushes(Path file) {
    this.file = file;
    this.probe = new Thread(this::probe, "disk-flush-probe");
    this.probe.setDaemon(true);
  }

  /** Starts the probe on a file in {@code dir}, which must be on the database's file system. */
  static DiskFlushes start(Path dir) {
    DiskFlushes disk = new DiskFlushes(dir.resolve("flush-probe"));
    disk.probe.start();
    return disk;
  }

  private void probe() {
    ByteBuffer block = ByteBuffer.allocate(4096);
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      for (long n = 0; running; n++) {
        block.clear();
        block.putLong(0, n);
        long start = System.nanoTime();
        channel.write(block, 0);
        channel.force(false);
        long length = System.nanoTime() - start;
        synchronized (flushes) {
          flushes.add(new long[] {start, length});
        }
        TimeUnit.MILLISECONDS.sleep(EVERY_MS);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The flushes that started between two {@link System#nanoTime()} readings. */
  Window between(long from, long to) {
    long[] lengths;
    synchronized (flushes) {
      lengths =
          flushes.stream().filter(f -> f[0] >= from && f[0] < to).mapToLong(f -> f[1]).toArray();
    }
    Arrays.sort(lengths);
    return new Window(lengths);
  }

  /** Flush lengths of one window, sorted, in nanoseconds. */
  record Window(long[] lengths) {

    long over(long millis) {
      long limit = TimeUnit.MILLISECONDS.toNanos(millis);
      return Arrays.stream(lengths).filter(l -> l > limit).count();
    }

    long longest() {
      return lengths.length == 0 ? 0 : lengths[lengths.length - 1];
    }

    String describe() {
      return String.format(
          Locale.ROOT,
          "disk: %d flushes, p50 %.1f ms, longest %.0f ms, %d over 50 ms",
          lengths.length,
          AcceptRateBenchmark.Load.percentile(lengths, 50) / 1e6,
          longest() / 1e6,
          over(50));
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    running = false;
    probe.interrupt();
    probe.join();
    Files.deleteIfExists(file);
  }
}
