package io.batchexecutor.support;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import org.junit.jupiter.api.Assumptions;

/**
 * Docker-dependent tests run only where an engine answers and the test base image exists; elsewhere
 * they are skipped with the reason. In CI ({@code CI=true}) a missing engine is a failure, never a
 * skip.
 */
public final class DockerAvailable {

  /** The test base image that {@code .ci/provision} builds; a setting, not a constant. */
  public static final String BASE_IMAGE =
      System.getenv().getOrDefault("BATCH_EXECUTOR_TEST_BASE_IMAGE", "local/python:3");

  private DockerAvailable() {}

  /** A client of the engine found the standard way, as the service makes it. */
  public static DockerClient client() {
    return io.batchexecutor.docker.DockerConfiguration.connect(null);
  }

  public static void assume(DockerClient docker) {
    String problem = null;
    try {
      docker.pingCmd().exec();
      docker.inspectImageCmd(BASE_IMAGE).exec();
    } catch (NotFoundException e) {
      problem =
          "the test base image " + BASE_IMAGE + " is missing (source .ci/provision to build it)";
    } catch (RuntimeException e) {
      problem =
          "no Docker engine answers (" + e.getMessage() + "); start dockerd or set DOCKER_HOST";
    }
    if (problem != null && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException("CI must run the Docker tests, but " + problem);
    }
    Assumptions.assumeTrue(problem == null, problem);
  }
}
