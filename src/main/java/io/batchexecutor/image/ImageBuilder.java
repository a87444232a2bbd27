package io.batchexecutor.image;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.BuildResponseItem;
import io.batchexecutor.docker.DockerFailures;
import io.batchexecutor.docker.DockerUnavailableException;
import java.io.ByteArrayInputStream;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Builds task images with docker-java: host networking, no pull unless the base image is missing
 * locally, and no second build of an image whose content-hashed tag exists already.
 */
@Component
public class ImageBuilder {

  private static final Logger log = LoggerFactory.getLogger(ImageBuilder.class);

  private final DockerClient docker;

  /** Builds of one image wait for each other; a fixed set of locks keeps memory bounded. */
  private final ReentrantLock[] building = new ReentrantLock[64];

  public ImageBuilder(DockerClient docker) {
    this.docker = docker;
    for (int i = 0; i < building.length; i++) {
      building[i] = new ReentrantLock();
    }
  }

  /**
   * The image's local reference and what its build printed.
   *
   * @param reused true when the image existed and nothing was built
   */
  public record Built(String reference, boolean reused, String buildLog) {}

  /** Builds {@code image} unless it exists. */
  public Built build(TaskImage image) {
    String reference = image.localReference();
    ReentrantLock lock = building[Math.floorMod(reference.hashCode(), building.length)];
    lock.lock();
    try {
      if (exists(reference)) {
        return new Built(reference, true, "");
      }
      boolean pull = !exists(image.baseImage());
      StringBuilder output = new StringBuilder();
      StringBuilder error = new StringBuilder();
      try {
        docker
            .buildImageCmd(new ByteArrayInputStream(image.tar()))
            .withTags(Set.of(reference))
            .withPull(pull)
            .withNetworkMode("host")
            .withRemove(true)
            .withForcerm(true)
            .exec(
                new BuildImageResultCallback() {
                  @Override
                  public void onNext(BuildResponseItem item) {
                    if (item.getStream() != null) {
                      output.append(item.getStream());
                    }
                    if (item.isErrorIndicated()) {
                      String message =
                          item.getErrorDetail() != null
                                  && item.getErrorDetail().getMessage() != null
                              ? item.getErrorDetail().getMessage()
                              : "the build reported an error";
                      error.append(message);
                      output.append(message).append('\n');
                    }
                    super.onNext(item);
                  }
                })
            .awaitImageId();
      } catch (RuntimeException e) {
        if (DockerFailures.unreachable(e)) {
          throw new DockerUnavailableException(e);
        }
        String reason = error.isEmpty() ? DockerFailures.describe(e) : error.toString().strip();
        throw new ImageBuildException("image build failed: " + reason, output.toString());
      }
      log.info("Built {} from {}", reference, image.baseImage());
      return new Built(reference, false, output.toString());
    } finally {
      lock.unlock();
    }
  }

  /** Whether the engine has an image under {@code reference}. */
  public boolean exists(String reference) {
    return imageId(reference).isPresent();
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
