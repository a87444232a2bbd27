package io.batchexecutor.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code batch-executor.image.*}: how task images are built.
 *
 * @param baseImage Image a task's image is built on when the task names none.
 * @param payload How a task's call reaches its image when the task does not say: staged (one
 *     environment image shared by every call with the same base image and requirements, the call
 *     written beside it to the object store) or baked (an image of its own for every call, as the
 *     original executor built them).
 * @param indexUrl Package index (PEP 503 simple API, e.g. an operator's mirror at
 *     https://pypi.example.internal/simple) that pip installs the requirements of tasks from.
 *     Unset: pip's default (PyPI). Changing it makes new environment images. It must not carry
 *     credentials: it is part of the image's build instructions and build log.
 * @param allowSourceBuilds Whether pip may build a requirement from a source distribution (which
 *     runs that package's build code during the image build). False: wheels only
 *     (--only-binary=:all:), so a package with no wheel for the base image fails the build.
 * @param buildTimeout Longest an image build may take; a build past it is stopped and its tasks end
 *     FAILED.
 * @param maxBuildsPerClient How many of one client's tasks may be in an image build at once on an
 *     instance (building, or waiting for the same image to be built); the client's further tasks
 *     wait for a slot without holding a worker.
 */
public record ImageProperties(
    @NotNull @DefaultValue("python:3.11-slim") String baseImage,
    @NotNull @DefaultValue("staged") PayloadMode payload,
    URI indexUrl,
    @DefaultValue("false") boolean allowSourceBuilds,
    @NotNull @DefaultValue("30m") Duration buildTimeout,
    @Min(1) @Max(64) @DefaultValue("2") int maxBuildsPerClient) {

  public ImageProperties {
    if (indexUrl != null) {
      String scheme = indexUrl.getScheme();
      if (!"https".equalsIgnoreCase(scheme) && !"http".equalsIgnoreCase(scheme)
          || indexUrl.getHost() == null) {
        throw new IllegalArgumentException(
            "batch-executor.image.index-url must be an http(s) URL of a package index, not "
                + indexUrl);
      }
      if (indexUrl.getRawUserInfo() != null) {
        throw new IllegalArgumentException(
            "batch-executor.image.index-url must not carry credentials: it is written into"
                + " image build instructions and build logs");
      }
    }
    if (buildTimeout != null && (buildTimeout.isNegative() || buildTimeout.isZero())) {
      throw new IllegalArgumentException(
          "batch-executor.image.build-timeout must be positive, not " + buildTimeout);
    }
  }
}
