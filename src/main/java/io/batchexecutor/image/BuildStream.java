package io.batchexecutor.image;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.BuildResponseItem;
import io.batchexecutor.docker.DockerFailures;
import io.batchexecutor.docker.DockerUnavailableException;
import java.io.Closeable;
import java.io.IOException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the engine streams while it builds an image: the output, its error, and the image's id; and
 * what a failed build means (an engine that went away, or a build the engine refused, with pip's
 * own words when pip failed).
 */
final class BuildStream implements ResultCallback<BuildResponseItem> {

  private static final Logger log = LoggerFactory.getLogger(BuildStream.class);

  private final String reference;
  private final BiConsumer<ImageBuilder.Built, RuntimeException> finish;
  private final StringBuilder output = new StringBuilder();
  private String error;
  private String imageId;
  private Closeable stream;
  private boolean closed;

  /**
   * The stream of the build of {@code reference}, which ends it once through {@code finish} (the
   * image, or why there is none).
   */
  BuildStream(String reference, BiConsumer<ImageBuilder.Built, RuntimeException> finish) {
    this.reference = reference;
    this.finish = finish;
  }

  @Override
  public void onStart(Closeable stream) {
    boolean closeNow;
    synchronized (this) {
      this.stream = stream;
      closeNow = closed;
    }
    if (closeNow) {
      closeQuietly(stream);
    }
  }

  @Override
  public void onNext(BuildResponseItem item) {
    synchronized (this) {
      if (item.getStream() != null) {
        output.append(item.getStream());
      }
      if (item.isErrorIndicated()) {
        String message =
            item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
                ? item.getErrorDetail().getMessage()
                : "the build reported an error";
        error = error == null ? message : error;
        output.append(message).append('\n');
      } else if (item.isBuildSuccessIndicated()) {
        imageId = item.getImageId();
      }
    }
  }

  @Override
  public void onError(Throwable throwable) {
    finish.accept(null, failure(throwable, this));
  }

  @Override
  public void onComplete() {
    String failed;
    String id;
    synchronized (this) {
      failed = error;
      id = imageId;
    }
    if (failed != null) {
      finish.accept(null, refused(failed, output()));
    } else if (id == null) {
      finish.accept(null, refused("the engine reported no image", output()));
    } else {
      finish.accept(new ImageBuilder.Built(reference, false, output()), null);
    }
  }

  /** Hangs up: the engine sees its client go and cancels the build. */
  @Override
  public void close() {
    Closeable open;
    synchronized (this) {
      closed = true;
      open = stream;
    }
    if (open != null) {
      closeQuietly(open);
    }
  }

  synchronized String error() {
    return error;
  }

  synchronized String output() {
    return output.toString();
  }

  private void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException | RuntimeException e) {
      log.debug("Closing the build stream of {}: {}", reference, e.getMessage());
    }
  }

  /** What a failed build means: an engine that went away, or a build the engine refused. */
  static RuntimeException failure(Throwable e, BuildStream callback) {
    if (DockerFailures.unreachable(e)) {
      return new DockerUnavailableException(e);
    }
    String reason = callback.error() != null ? callback.error() : DockerFailures.describe(e);
    return refused(reason, callback.output());
  }

  private static ImageBuildException refused(String reason, String buildLog) {
    String message = "image build failed: " + reason.strip();
    String pipSaid = pipError(buildLog);
    if (pipSaid != null) {
      message += " (pip: " + pipSaid + ")";
    }
    return new ImageBuildException(message, buildLog);
  }

  /** pip's first {@code ERROR:} line in {@code buildLog}, which names what it could not install. */
  static String pipError(String buildLog) {
    for (String line : buildLog.split("\n")) {
      String stripped = line.strip();
      if (stripped.startsWith("ERROR: ")) {
        return stripped.length() <= 500 ? stripped : stripped.substring(0, 500) + "...";
      }
    }
    return null;
  }
}
