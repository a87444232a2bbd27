package io.batchexecutor.backend;

import io.batchexecutor.docker.DockerFailures;
import io.batchexecutor.docker.DockerUnavailableException;
import java.util.Optional;

/** Tells the failures that mean "no Docker engine answers" from everything else. */
public final class DockerUnreachable {

  private DockerUnreachable() {}

  /** The wait {@code failure} calls for, if it means that the engine could not be reached. */
  public static Optional<Unreachable> of(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof DockerUnavailableException e) {
        return Optional.of(new Unreachable("DockerUnavailable", e.getMessage()));
      }
    }
    if (DockerFailures.unreachable(failure)) {
      return of(new DockerUnavailableException(failure));
    }
    return Optional.empty();
  }
}
