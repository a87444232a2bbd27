package io.batchexecutor.backend.local;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each running task container's output, followed from the engine as it is printed into a {@link
 * BoundedLog}: the head is kept while the task runs (the engine's own log, capped, has lost it by
 * the end of a long output), every byte is counted, and the tail is what came last. Nothing of it
 * is held in memory. A container whose output nobody followed (one that ran while the service was
 * down) is read when it is taken: then the head is what the engine still keeps.
 */
final class LogCaptures {

  private static final Logger log = LoggerFactory.getLogger(LogCaptures.class);

  /** How long a taker waits for the follower to read what the container printed last. */
  static final Duration CATCH_UP = Duration.ofMinutes(2);

  /** A capture that ended and was not taken (another instance took the task) is dropped after. */
  private static final long FORGET_AFTER_NANOS = TimeUnit.MINUTES.toNanos(10);

  private final DockerClient docker;
  private final long maxBytes;
  private final Map<String, Capture> captures = new ConcurrentHashMap<>();

  LogCaptures(DockerClient docker, long maxBytes) {
    this.docker = docker;
    this.maxBytes = maxBytes;
  }

  /** The most output a log keeps ({@code batch-executor.local.max-log-size}). */
  long maxBytes() {
    return maxBytes;
  }

  /** One container's output, followed or read once. */
  private final class Capture extends ResultCallback.Adapter<Frame> {
    final BoundedLog output;
    volatile long endedAt;

    Capture(BoundedLog output) {
      this.output = output;
    }

    @Override
    public void onNext(Frame frame) {
      try {
        output.write(frame.getPayload(), 0, frame.getPayload().length);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void onComplete() {
      endedAt = System.nanoTime();
      super.onComplete();
    }

    @Override
    public void onError(Throwable throwable) {
      endedAt = System.nanoTime();
      super.onError(throwable);
    }
  }

  /**
   * Follows the output of {@code containerId} (started, or ended) from its start, unless it is
   * followed already.
   */
  void follow(String containerId) {
    forgetStale();
    captures.computeIfAbsent(containerId, this::start);
  }

  private Capture start(String containerId) {
    return read(containerId, new BoundedLog(maxBytes), true);
  }

  /** Reads the container's output into {@code output}: as it comes, or what the engine keeps. */
  private Capture read(String containerId, BoundedLog output, boolean follow) {
    Capture capture = new Capture(output);
    docker
        .logContainerCmd(containerId)
        .withStdOut(true)
        .withStdErr(true)
        .withFollowStream(follow)
        .exec(capture);
    return capture;
  }

  /**
   * The output of {@code containerId}, which has ended: waits until the follower has read all of it
   * (at most {@link #CATCH_UP}) and hands the finished log over; the caller stores and closes it. A
   * container that is gone has an empty log.
   *
   * <p>The engine's follower ends when the container does, also when it fell behind a task that
   * printed faster than it reads: the engine then rotated its capped log past output it never sent.
   * So the end of what the engine still keeps is read once more, and when it is not how the
   * followed output ends, it is the tail (and the line between says "at least").
   *
   * <p>That read starts at once, beside the follower's last reads (the engine has written the log
   * of an ended container); only when the two do not end alike is it made again after the follower
   * ended, so that a log the engine was still writing is never taken for a rotated one.
   */
  BoundedLog take(String containerId) throws InterruptedException, IOException {
    Capture followed = captures.computeIfAbsent(containerId, this::start);
    captures.remove(containerId, followed);
    BoundedLog output = followed.output;
    BoundedLog early = BoundedLog.tailOnly(maxBytes / 2);
    try (early) {
      Capture tail = read(containerId, early, false);
      try {
        if (!await(containerId, followed)) {
          output.finish();
          return output;
        }
        if (await(containerId, tail) && caughtUp(output, early)) {
          output.finish();
          return output;
        }
      } finally {
        close(tail); // closed already by its await, unless that never came (an interrupt)
      }
    }
    try (BoundedLog kept = BoundedLog.tailOnly(maxBytes / 2)) {
      if (!await(containerId, read(containerId, kept, false))) {
        output.finish();
        return output;
      }
      if (caughtUp(output, kept)) {
        output.finish();
      } else {
        long counted = Math.max(output.received(), kept.received());
        long keptBytes =
            Math.min(output.received(), maxBytes / 2) + Math.min(kept.received(), maxBytes / 2);
        output.finishWithTailOf(kept, Math.max(0, counted - keptBytes));
      }
    }
    return output;
  }

  /** Whether {@code followed} holds all of what the engine {@code kept}: it ends as that does. */
  private static boolean caughtUp(BoundedLog followed, BoundedLog kept) throws IOException {
    byte[] end = kept.lastBytes(COMPARED);
    byte[] followedEnd = followed.lastBytes(end.length);
    return kept.received() == 0
        || (followed.received() >= kept.received() && java.util.Arrays.equals(end, followedEnd));
  }

  /** How many of the last bytes tell whether the follower read to the end. */
  private static final int COMPARED = 4096;

  /** Waits for a read to end; false when the container is gone or the read failed. */
  private boolean await(String containerId, Capture capture) throws InterruptedException {
    try {
      if (!capture.awaitCompletion(CATCH_UP.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn(
            "The output of container {} was not read to its end within {}: its log ends early",
            containerId,
            CATCH_UP);
      }
      return true;
    } catch (NotFoundException e) {
      return false; // the container is gone: its output with it
    } catch (RuntimeException e) {
      log.warn("Reading the output of container {} failed: {}", containerId, e.getMessage());
      return false;
    } finally {
      close(capture);
    }
  }

  /** Stops following {@code containerId} and drops what was kept of its output. */
  void discard(String containerId) {
    Capture capture = captures.remove(containerId);
    if (capture != null) {
      close(capture);
      capture.output.delete();
    }
  }

  /** Drops the captures that ended long ago and were never taken. */
  private void forgetStale() {
    long now = System.nanoTime();
    captures.forEach(
        (id, capture) -> {
          if (capture.endedAt != 0 && now - capture.endedAt > FORGET_AFTER_NANOS) {
            discard(id);
          }
        });
  }

  private static void close(Capture capture) {
    try {
      capture.close();
    } catch (IOException e) {
      // the stream is gone either way
    }
  }
}
