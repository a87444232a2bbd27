package io.batchexecutor.backend.local;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A task's output kept within {@code batch-executor.local.max-log-size}, written as it comes and
 * never held in memory: the first half of the bound goes straight to a file, everything after it
 * into a ring of the other half (a file too), so that at the end the log is the head, one line
 * saying how many bytes were dropped between them, and the tail. Output within the bound is kept
 * whole, as it came.
 */
final class BoundedLog extends OutputStream {

  private final long headMax;
  private final long tailMax;
  private final Path file;
  private final OutputStream head;
  private final Path ringFile;
  private final RandomAccessFile ring;
  private long headBytes;
  private long ringBytes;
  private final byte[] pending = new byte[64 * 1024];
  private int pendingBytes;
  private byte lastHeadByte = '\n';
  private boolean closed;

  /** A log that keeps at most {@code maxBytes} of output (and the line that tells what went). */
  BoundedLog(long maxBytes) {
    this(Math.max(1, maxBytes / 2), Math.max(1, maxBytes / 2));
  }

  /** A log that keeps the first {@code headMax} and the last {@code tailMax} bytes of output. */
  BoundedLog(long headMax, long tailMax) {
    this.headMax = headMax;
    this.tailMax = Math.max(1, tailMax);
    try {
      this.file = Files.createTempFile("batch-executor-log-", ".txt");
      this.head = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
      this.ringFile = Files.createTempFile("batch-executor-log-tail-", ".bin");
      this.ring = new RandomAccessFile(ringFile.toFile(), "rw");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make a temporary file for a task's output", e);
    }
  }

  /** Only the last {@code tailMax} bytes of output: a tail to compare and to take from. */
  static BoundedLog tailOnly(long tailMax) {
    return new BoundedLog(0, tailMax);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public synchronized void write(byte[] bytes, int offset, int length) throws IOException {
    if (closed) {
      return; // output that came after the log was taken: not part of it
    }
    int toHead = (int) Math.min(length, headMax - headBytes);
    if (toHead > 0) {
      head.write(bytes, offset, toHead);
      headBytes += toHead;
      lastHeadByte = bytes[offset + toHead - 1];
      offset += toHead;
      length -= toHead;
    }
    while (length > 0) {
      int n = Math.min(length, pending.length - pendingBytes);
      System.arraycopy(bytes, offset, pending, pendingBytes, n);
      pendingBytes += n;
      offset += n;
      length -= n;
      if (pendingBytes == pending.length) {
        flushRing();
      }
    }
  }

  /** Writes what waits in memory into the ring, where it belongs. */
  private void flushRing() throws IOException {
    int offset = 0;
    while (offset < pendingBytes) {
      long at = ringBytes % tailMax;
      int n = (int) Math.min(pendingBytes - offset, tailMax - at);
      ring.seek(at);
      ring.write(pending, offset, n);
      ringBytes += n;
      offset += n;
    }
    pendingBytes = 0;
  }

  /** How many bytes of output came, kept or not. */
  synchronized long received() {
    return headBytes + ringBytes + pendingBytes;
  }

  /** How many bytes of output were dropped between the head and the tail. */
  synchronized long dropped() {
    return Math.max(0, ringBytes + pendingBytes - tailMax);
  }

  /** How many of the last bytes the ring keeps. */
  private long ringKept() {
    return Math.min(ringBytes, tailMax);
  }

  /**
   * The last {@code n} bytes of output (fewer when fewer came), when nothing was dropped before
   * them; the end of the tail otherwise.
   */
  synchronized byte[] lastBytes(int n) throws IOException {
    flushRing();
    int fromRing = (int) Math.min(n, ringKept());
    int fromHead = ringBytes <= tailMax ? (int) Math.min(n - fromRing, headBytes) : 0;
    byte[] bytes = new byte[fromHead + fromRing];
    if (fromHead > 0) {
      head.flush();
      try (SeekableByteChannel channel = Files.newByteChannel(file)) {
        channel.position(headBytes - fromHead);
        ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, fromHead);
        while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
          // reads on
        }
      }
    }
    copyRing(ringKept() - fromRing, fromRing, bytes, fromHead);
    return bytes;
  }

  /** Copies {@code length} bytes of the ring's kept tail from {@code offset} in it. */
  private void copyRing(long offset, int length, byte[] into, int at) throws IOException {
    long start = ringBytes <= tailMax ? 0 : ringBytes % tailMax;
    for (int done = 0; done < length; ) {
      long position = (start + offset + done) % tailMax;
      int n = (int) Math.min(length - done, tailMax - position);
      ring.seek(position);
      ring.readFully(into, at + done, n);
      done += n;
    }
  }

  /**
   * Ends the log: the file holds the head, the line about what was dropped (when anything was) and
   * the tail. The caller stores it and then {@link #delete deletes} it.
   */
  synchronized Path finish() throws IOException {
    return finish(this, dropped(), dropped() > 0);
  }

  /**
   * Ends the log with another's tail: the head, the line saying that at least {@code dropped} bytes
   * went, and the bytes {@code tail} keeps.
   */
  Path finishWithTailOf(BoundedLog tail, long dropped) throws IOException {
    synchronized (tail) {
      synchronized (this) {
        return finish(tail, dropped, true);
      }
    }
  }

  private Path finish(BoundedLog tail, long dropped, boolean line) throws IOException {
    if (closed) {
      return file;
    }
    closed = true;
    try {
      tail.flushRing();
      if (line) {
        head.write(droppedLine(dropped, headMax, lastHeadByte != '\n'));
      }
      long kept = tail.ringKept();
      byte[] buffer = new byte[64 * 1024];
      for (long copied = 0; copied < kept; ) {
        int n = (int) Math.min(buffer.length, kept - copied);
        tail.copyRing(copied, n, buffer, 0);
        head.write(buffer, 0, n);
        copied += n;
      }
    } finally {
      head.close();
      ring.close();
      Files.deleteIfExists(ringFile);
    }
    return file;
  }

  /**
   * The line that stands where output was dropped; on a line of its own, even when the head ends in
   * the middle of one. "At least": what the service counted, and the engine may have dropped more
   * unseen (when it rotates its capped log faster than the service reads it, or while no instance
   * followed the container).
   */
  static byte[] droppedLine(long dropped, long half, boolean breakFirst) {
    return ((breakFirst ? "\n" : "")
            + "[batch-executor: at least "
            + dropped
            + " bytes of output dropped here; the log keeps the first and last "
            + half
            + " bytes — batch-executor.local.max-log-size]\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Removes the log's files, finished or not. */
  synchronized void delete() {
    closed = true;
    try {
      head.close();
      ring.close();
      Files.deleteIfExists(ringFile);
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a temporary file left behind: the system's temporary directory is cleaned by others
    }
  }

  @Override
  public void close() {
    delete();
  }
}
