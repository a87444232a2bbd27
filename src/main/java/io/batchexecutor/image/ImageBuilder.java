package io.batchexecutor.image;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import io.batchexecutor.docker.DockerFailures;
import io.batchexecutor.docker.DockerUnavailableException;
import io.batchexecutor.support.Remembered;
import java.io.ByteArrayInputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Builds task images with docker-java: host networking, no pull unless the base image is missing
 * locally, and no second build of an image whose content-hashed tag exists already.
 *
 * <p>One build of an image at a time on an instance: a task that needs an image whose build is
 * under way waits for that build. A build is stopped — the engine cancels a build whose client goes
 * away, and kills the step it was running — when it runs longer than its time-out (every task
 * waiting for it fails), and when the last task waiting for it stops waiting (it was cancelled): no
 * build goes on that nobody waits for, and none stops that another task still waits for.
 */
@Component
public class ImageBuilder {

  private static final Logger log = LoggerFactory.getLogger(ImageBuilder.class);

  /** How often a waiting task looks whether it should stop, and whether the build ran too long. */
  private static final long WAIT_SLICE_MILLIS = 200;

  /** The time-out of {@link #build(TaskImage)}, for callers that have none. */
  private static final Duration NO_TIMEOUT = Duration.ofDays(1);

  private final DockerClient docker;

  /**
   * How long an image the engine had is taken as still there without asking ({@link
   * #recentImageId}): while tasks keep coming the engine is asked once a minute, and a base image
   * pulled anew under the same name names new environments a minute later at the latest (an
   * environment image found gone at the launch is asked for again at once).
   */
  static final Duration RECENT = Duration.ofMinutes(1);

  /** The ids of the images the engine had a moment ago, by reference: only those it had. */
  private final Remembered<String> recent;

  /** The builds under way on this instance, by image reference; guarded by itself. */
  private final Map<String, Build> underWay = new HashMap<>();

  /**
   * @param clock the service's clock, which the ids the engine gave expire by
   */
  public ImageBuilder(DockerClient docker, Clock clock) {
    this.docker = docker;
    this.recent = new Remembered<>(clock, RECENT, 1_000);
  }

  /**
   * The image's local reference and what its build printed.
   *
   * @param reused true when the image existed and nothing was built
   */
  public record Built(String reference, boolean reused, String buildLog) {}

  /** Builds {@code image} unless it exists, waiting for as long as that takes. */
  public Built build(TaskImage image) {
    try {
      return build(image, NO_TIMEOUT, () -> false).orElseThrow();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while building " + image.localReference(), e);
    }
  }

  /**
   * Builds {@code image} unless it exists, or waits for its build already under way here.
   *
   * @param timeout how long the build may take (a build already under way keeps its own)
   * @param stop asked while waiting: true when the caller no longer waits (a cancel)
   * @return empty when {@code stop} said to stop first; the build was then stopped too, unless
   *     another task still waits for it
   * @throws ImageBuildTimeoutException when the build ran longer than its time-out (it is stopped)
   * @throws ImageBuildException when the engine refused to build it
   */
  public Optional<Built> build(TaskImage image, Duration timeout, BooleanSupplier stop)
      throws InterruptedException {
    String reference = image.localReference();
    Build build;
    boolean first;
    synchronized (underWay) {
      build = underWay.get(reference);
      first = build == null;
      if (first) {
        build = new Build(reference, timeout);
        underWay.put(reference, build);
      }
      build.waiters++;
    }
    try {
      if (first) {
        start(build, image);
        return build.await(stop);
      }
      // a task that joined another's build finds the image made: for it, nothing was built
      return build.await(stop).map(built -> new Built(built.reference(), true, ""));
    } finally {
      leave(build);
    }
  }

  /** How many tasks wait for the build of {@code reference} under way here (0: none is). */
  public int waitingFor(String reference) {
    synchronized (underWay) {
      Build build = underWay.get(reference);
      return build == null ? 0 : build.waiters;
    }
  }

  private void start(Build build, TaskImage image) {
    try {
      if (exists(build.reference)) {
        build.finish(new Built(build.reference, true, ""), null);
        return;
      }
      boolean pull = !exists(image.baseImage());
      docker
          .buildImageCmd(new ByteArrayInputStream(image.tar()))
          .withTags(Set.of(build.reference))
          .withPull(pull)
          .withNetworkMode("host")
          .withRemove(true)
          .withForcerm(true)
          .exec(build.callback);
      log.info("Building {} from {}", build.reference, image.baseImage());
    } catch (RuntimeException e) {
      build.finish(null, BuildStream.failure(e, build.callback));
    }
  }

  /** A waiting task stops waiting; a build that nobody waits for any more is stopped. */
  private void leave(Build build) {
    synchronized (underWay) {
      build.waiters--;
      if (build.waiters > 0 || build.done.getCount() == 0) {
        return;
      }
      // ended while no task can join it: the next task that needs the image starts a new build
      build.finish(
          null,
          new ImageBuildException(
              "image build stopped: no task waits for it any more", build.callback.output()));
    }
    log.info("Stopping the build of {}: no task waits for it any more", build.reference);
    build.callback.close();
  }

  private void finished(Build build) {
    synchronized (underWay) {
      underWay.remove(build.reference, build);
    }
  }

  /** One build under way, and the tasks that wait for it. */
  private final class Build {

    final String reference;
    final Duration timeout;
    final long startedNanos = System.nanoTime();
    final BuildStream callback;
    final CountDownLatch done = new CountDownLatch(1);

    /** Tasks waiting for this build; guarded by {@link #underWay}. */
    int waiters;

    private Built built;
    private RuntimeException failure;

    Build(String reference, Duration timeout) {
      this.reference = reference;
      this.timeout = timeout;
      this.callback = new BuildStream(reference, this::finish);
    }

    /** Waits for the end of the build, or until {@code stop} says to stop waiting. */
    Optional<Built> await(BooleanSupplier stop) throws InterruptedException {
      while (!done.await(WAIT_SLICE_MILLIS, TimeUnit.MILLISECONDS)) {
        if (stop.getAsBoolean()) {
          return Optional.empty();
        }
        if (System.nanoTime() - startedNanos > timeout.toNanos()) {
          log.warn("Stopping the build of {}: it ran longer than {}", reference, timeout);
          stop(
              new ImageBuildTimeoutException(
                  "image build stopped after "
                      + words(timeout)
                      + ": it ran longer than batch-executor.image.build-timeout allows",
                  callback.output()));
        }
      }
      synchronized (this) {
        if (failure != null) {
          throw failure;
        }
        return Optional.of(built);
      }
    }

    /** Ends the build with {@code why} and hangs up on the engine, which then cancels it. */
    void stop(RuntimeException why) {
      finish(null, why);
      callback.close();
    }

    /** The build's outcome, once: the first one stands. */
    void finish(Built result, RuntimeException why) {
      synchronized (this) {
        if (done.getCount() == 0) {
          return;
        }
        built = result;
        failure = why;
        done.countDown();
      }
      finished(this);
      if (result != null && !result.reused()) {
        log.info("Built {}", reference);
      }
    }
  }

  private static String words(Duration d) {
    long s = d.toSeconds();
    if (s % 3600 == 0 && s > 0) {
      return s / 3600 + " h";
    }
    if (s % 60 == 0 && s > 0) {
      return s / 60 + " min";
    }
    return s + " s";
  }

  /** Whether the engine has an image under {@code reference}. */
  public boolean exists(String reference) {
    return imageId(reference).isPresent();
  }

  /**
   * The id of the image the engine had under {@code reference} within the last {@link #RECENT},
   * else as it answers now (an image it lacks is asked for again every time): for a base image,
   * whose id names the environment built on it, and for an image whose absence a later step finds
   * and reports ({@link #forget}). A base image pulled anew under the same name is seen once the id
   * given before has expired.
   */
  public Optional<String> recentImageId(String reference) {
    return recent.getOrFind(reference, () -> imageId(reference));
  }

  /**
   * The engine no longer has {@code reference} (a container could not be created from it): the next
   * look asks it.
   */
  public void forget(String reference) {
    recent.forget(reference);
  }

  /** The id of the image the engine has under {@code reference}; empty when it has none. */
  public Optional<String> imageId(String reference) {
    try {
      return Optional.ofNullable(docker.inspectImageCmd(reference).exec().getId());
    } catch (NotFoundException e) {
      return Optional.empty();
    } catch (RuntimeException e) {
      if (DockerFailures.unreachable(e)) {
        throw new DockerUnavailableException(e);
      }
      throw e;
    }
  }

  /** Gives the image under {@code reference} the further name {@code alias} as well. */
  public void alias(String reference, String alias) {
    int colon = alias.lastIndexOf(':');
    try {
      docker.tagImageCmd(reference, alias.substring(0, colon), alias.substring(colon + 1)).exec();
    } catch (RuntimeException e) {
      if (DockerFailures.unreachable(e)) {
        throw new DockerUnavailableException(e);
      }
      throw e;
    }
  }
}
