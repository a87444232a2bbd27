package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.backend.DockerUnreachable;
import io.batchexecutor.backend.Unreachable;
import java.io.IOException;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/**
 * Tells the failures that mean "AWS (or the Docker engine that builds and pushes) did not answer"
 * from answers that say no. The SDK has already retried each call with its own back-off by the time
 * such a failure arrives here: a connection that could not be made or timed out, a 5xx, or
 * throttling that outlasted the retries. A 4xx answer is an answer and fails the task.
 */
final class AwsUnreachable {

  private AwsUnreachable() {}

  static Optional<Unreachable> of(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SdkServiceException e
          && (e.statusCode() >= 500 || e.isThrottlingException())) {
        return Optional.of(
            new Unreachable(
                "AwsUnavailable",
                "AWS answers " + e.statusCode() + " (" + firstLine(e.getMessage()) + ")"));
      }
      if (t instanceof SdkClientException e && causedByIo(e)) {
        return Optional.of(
            new Unreachable(
                "AwsUnreachable",
                "no AWS endpoint answers ("
                    + firstLine(e.getMessage())
                    + "); check the network, the region and batch-executor.awsbatch.endpoint"));
      }
    }
    return DockerUnreachable.of(failure); // building and pushing talk to the Docker engine
  }

  private static boolean causedByIo(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException
          || t instanceof software.amazon.awssdk.core.exception.ApiCallTimeoutException
          || t instanceof software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException) {
        return true;
      }
    }
    return false;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no message";
    }
    int end = message.indexOf('\n');
    String line = end < 0 ? message : message.substring(0, end);
    return line.length() > 300 ? line.substring(0, 300) + "…" : line;
  }
}
