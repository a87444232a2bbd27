package io.batchexecutor.api;

import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** Answers a request with a ready-made problem document. */
public class ProblemException extends ErrorResponseException {

  public ProblemException(HttpStatusCode status, String kind, String title, String detail) {
    super(status, Problems.of(status, kind, title, detail), null);
  }

  /** A 400 for a query or path parameter, named in {@code errors} like a body field. */
  static ProblemException invalidParameter(String name, String message) {
    return new ProblemException(
            org.springframework.http.HttpStatus.BAD_REQUEST,
            Problems.INVALID_REQUEST,
            "Invalid parameter",
            name + " " + message)
        .withProperty(
            "errors", java.util.List.of(java.util.Map.of("field", name, "message", message)));
  }

  public ProblemException withProperty(String name, Object value) {
    ProblemDetail body = getBody();
    body.setProperty(name, value);
    return this;
  }
}
