package io.batchexecutor.backend.local;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
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

  private final long half;
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
    this.half = Math.max(1, maxBytes / 2);
    try {
      this.file = Files.createTempFile("batch-executor-log-", ".txt");
      this.head = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
      this.ringFile = Files.createTempFile("batch-executor-log-tail-", ".bin");
      this.ring = new RandomAccessFile(ringFile.toFile(), "rw");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make a temporary file for a task's output", e);
    }
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
    int toHead = (int) Math.min(length, half - headBytes);
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
      long at = ringBytes % half;
      int n = (int) Math.min(pendingBytes - offset, half - at);
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
    return Math.max(0, ringBytes + pendingBytes - half);
  }

  /**
   * Ends the log: the file holds the head, the line about what was dropped (when anything was) and
   * the tail. The caller stores it and then {@link #delete deletes} it.
   */
  synchronized Path finish() throws IOException {
    if (closed) {
      return file;
    }
    closed = true;
    try {
      flushRing();
      long dropped = dropped();
      if (dropped > 0) {
        head.write(droppedLine(dropped, half, lastHeadByte != '\n'));
      }
      long kept = Math.min(ringBytes, half);
      long start = ringBytes <= half ? 0 : ringBytes % half;
      byte[] buffer = new byte[64 * 1024];
      for (long copied = 0; copied < kept; ) {
        long at = (start + copied) % half;
        int n = (int) Math.min(buffer.length, Math.min(kept - copied, half - at));
        ring.seek(at);
        ring.readFully(buffer, 0, n);
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
