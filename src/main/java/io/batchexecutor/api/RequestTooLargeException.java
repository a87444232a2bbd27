package io.batchexecutor.api;

import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * A request body over the configured limit; raised while reading it, before it is all in memory.
 */
public class RequestTooLargeException extends IOException {

  private final long limit;

  public RequestTooLargeException(long limit) {
    super("the request body is larger than " + limit + " bytes");
    this.limit = limit;
  }

  ProblemDetail problem() {
    return Problems.of(
        HttpStatus.CONTENT_TOO_LARGE,
        Problems.REQUEST_TOO_LARGE,
        "Request too large",
        "the request body must be at most " + limit + " bytes");
  }
}
