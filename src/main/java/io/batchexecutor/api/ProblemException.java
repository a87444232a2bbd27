package io.batchexecutor.api;

import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** Answers a request with a ready-made problem document. */
public class ProblemException extends ErrorResponseException {

  public ProblemException(HttpStatusCode status, String kind, String title, String detail) {
    super(status, Problems.of(status, kind, title, detail), null);
  }

  public ProblemException withProperty(String name, Object value) {
    ProblemDetail body = getBody();
    body.setProperty(name, value);
    return this;
  }
}
