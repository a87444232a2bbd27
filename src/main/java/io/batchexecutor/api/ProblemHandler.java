package io.batchexecutor.api;

import io.batchexecutor.task.IdempotencyConflictException;
import io.batchexecutor.task.InvalidTaskException;
import io.batchexecutor.task.SubmissionRefusedException;
import io.batchexecutor.task.TaskNotFoundException;
import io.batchexecutor.task.TaskStateConflictException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Maps every error to an RFC 9457 problem document with a stable {@code type} per kind of error
 * (see {@link Problems}) and, for bad input, the offending fields in {@code errors} (for a body
 * that could not be read, see {@link UnreadableBody}). No stack trace or exception object ever
 * reaches a client; unexpected errors are logged here with an id that the answer repeats.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

  @ExceptionHandler(InvalidTaskException.class)
  ResponseEntity<Object> invalidTask(InvalidTaskException e, WebRequest request) {
    ProblemDetail problem =
        Problems.of(
            HttpStatus.BAD_REQUEST,
            Problems.ofViolations(e.violations()),
            "Invalid task",
            e.violations().size() == 1
                ? e.violations().get(0).field() + " " + e.violations().get(0).message()
                : e.violations().size() + " fields are invalid; see errors");
    problem.setProperty("errors", e.violations());
    return respond(problem, request);
  }

  /** A submission over its client's limits: the limit and the count, and when to try again. */
  @ExceptionHandler(SubmissionRefusedException.class)
  ResponseEntity<Object> refused(SubmissionRefusedException e, WebRequest request) {
    HttpStatusCode status = HttpStatusCode.valueOf(e.status());
    ProblemDetail problem = Problems.of(status, e.kind(), e.title(), e.getMessage());
    e.properties().forEach(problem::setProperty);
    HttpHeaders headers = new HttpHeaders();
    if (e.retryAfter() != null) {
      // whole seconds, rounded up: never earlier than the limit lets the request through
      long seconds = Math.max(1, (e.retryAfter().toMillis() + 999) / 1000);
      headers.set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
    }
    return handleExceptionInternal(e, problem, headers, status, request);
  }

  @ExceptionHandler(TaskNotFoundException.class)
  ResponseEntity<Object> notFound(TaskNotFoundException e, WebRequest request) {
    return respond(
        Problems.of(
            HttpStatus.NOT_FOUND, Problems.TASK_NOT_FOUND, "Task not found", e.getMessage()),
        request);
  }

  @ExceptionHandler(io.batchexecutor.workflow.WorkflowNotFoundException.class)
  ResponseEntity<Object> workflowNotFound(
      io.batchexecutor.workflow.WorkflowNotFoundException e, WebRequest request) {
    return respond(
        Problems.of(
            HttpStatus.NOT_FOUND,
            Problems.WORKFLOW_NOT_FOUND,
            "Workflow not found",
            e.getMessage()),
        request);
  }

  @ExceptionHandler(io.batchexecutor.workflow.WorkflowBeingDeletedException.class)
  ResponseEntity<Object> beingDeleted(RuntimeException e, WebRequest request) {
    return respond(
        Problems.of(
            HttpStatus.CONFLICT,
            Problems.WORKFLOW_BEING_DELETED,
            "Workflow being deleted",
            e.getMessage()),
        request);
  }

  @ExceptionHandler(TaskStateConflictException.class)
  ResponseEntity<Object> conflict(TaskStateConflictException e, WebRequest request) {
    ProblemDetail problem =
        Problems.of(
            HttpStatus.CONFLICT,
            Problems.TASK_STATE_CONFLICT,
            "Not possible in this state",
            e.getMessage());
    problem.setProperty("status_of_task", e.task().status());
    return respond(problem, request);
  }

  @ExceptionHandler(IdempotencyConflictException.class)
  ResponseEntity<Object> idempotency(IdempotencyConflictException e, WebRequest request) {
    return respond(
        Problems.of(
            HttpStatus.CONFLICT,
            Problems.IDEMPOTENCY_KEY_REUSED,
            "Idempotency-Key reused",
            e.getMessage()),
        request);
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ResponseEntity<Object> typeMismatch(MethodArgumentTypeMismatchException e, WebRequest request) {
    if ("id".equals(e.getName())
        && e.getParameter().getContainingClass() == WorkflowController.class) {
      return workflowNotFound(
          new io.batchexecutor.workflow.WorkflowNotFoundException(String.valueOf(e.getValue())),
          request);
    }
    if ("id".equals(e.getName())) {
      return notFound(new TaskNotFoundException(String.valueOf(e.getValue())), request);
    }
    ProblemDetail problem =
        Problems.of(
            HttpStatus.BAD_REQUEST,
            Problems.INVALID_REQUEST,
            "Invalid parameter",
            e.getName() + " has an invalid value: " + e.getValue());
    problem.setProperty(
        "errors", List.of(Map.of("field", e.getName(), "message", "has an invalid value")));
    return respond(problem, request);
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<Object> unexpected(Exception e, WebRequest request) {
    if (databaseUnavailable(e)) {
      return databaseUnavailable(e, request);
    }
    if (databaseBusy(e)) {
      log.info("A write of {} met another: {}", request.getDescription(false), e.getMessage());
      return tryAgain(
          e,
          Problems.DATABASE_BUSY,
          "Database busy",
          "the request ran into another write in the database and was stopped; its own"
              + " transaction was undone, so repeating it is safe",
          1,
          request);
    }
    String incident = java.util.UUID.randomUUID().toString();
    log.error("Unexpected error {} answering {}", incident, request.getDescription(false), e);
    ProblemDetail problem =
        Problems.of(
            HttpStatus.INTERNAL_SERVER_ERROR,
            Problems.INTERNAL_ERROR,
            "Internal error",
            "the service failed to answer this request; the log has incident " + incident);
    problem.setProperty("incident", incident);
    return respond(problem, request);
  }

  @Override
  protected ResponseEntity<Object> handleHttpMessageNotReadable(
      HttpMessageNotReadableException e,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    return respond(UnreadableBody.problem(e), request);
  }

  @Override
  protected ResponseEntity<Object> handleExceptionInternal(
      Exception e, Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    if (body == null && e instanceof ErrorResponse errorResponse) {
      body = errorResponse.updateAndGetBody(getMessageSource(), LocaleContextHolder.getLocale());
    }
    if (body instanceof ProblemDetail problem
        && (problem.getType() == null || "about:blank".equals(problem.getType().toString()))) {
      problem.setType(URI.create(Problems.PREFIX + kindOf(status)));
    }
    return super.handleExceptionInternal(e, body, headers, status, request);
  }

  /**
   * The database did not answer (stopped, restarting, unreachable): nothing was decided, the client
   * can try again; the answer says when.
   */
  private ResponseEntity<Object> databaseUnavailable(Exception e, WebRequest request) {
    log.warn("The database did not answer {}: {}", request.getDescription(false), e.getMessage());
    return tryAgain(
        e,
        Problems.DATABASE_UNAVAILABLE,
        "Database unavailable",
        "the service's database does not answer right now; nothing was changed, try again",
        5,
        request);
  }

  /** A 503 of {@code kind} whose Retry-After says when to ask again. */
  private ResponseEntity<Object> tryAgain(
      Exception e,
      String kind,
      String title,
      String detail,
      int retryAfterSeconds,
      WebRequest request) {
    ProblemDetail problem = Problems.of(HttpStatus.SERVICE_UNAVAILABLE, kind, title, detail);
    HttpHeaders headers = new HttpHeaders();
    headers.set(HttpHeaders.RETRY_AFTER, Integer.toString(retryAfterSeconds));
    return handleExceptionInternal(e, problem, headers, HttpStatus.SERVICE_UNAVAILABLE, request);
  }

  /**
   * Whether {@code e} comes from a database that cannot be reached or is going away: no connection
   * to be had, a connection error (SQLSTATE class 08), or the server shutting down or starting up
   * (57P01-57P03), however Spring wrapped it.
   */
  static boolean databaseUnavailable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.springframework.transaction.TransactionSystemException tx) {
        // a rollback or commit that failed at the connection hides what went wrong first
        if (tx.getApplicationException() != null
            && databaseUnavailable(tx.getApplicationException())) {
          return true;
        }
        if (tx.getCause() instanceof java.sql.SQLException sql
            && (sql.getSQLState() == null
                || sql.getSQLState().startsWith("08")
                || sql.getSQLState().startsWith("57P"))) {
          return true;
        }
      }
      if (t instanceof org.springframework.jdbc.CannotGetJdbcConnectionException
          || t instanceof java.sql.SQLTransientConnectionException
          || t instanceof java.sql.SQLNonTransientConnectionException) {
        return true;
      }
      if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.startsWith("08") || state.startsWith("57P")) {
          return true;
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /**
   * Whether {@code e} is PostgreSQL stopping a transaction because of another one — a deadlock
   * (40P01), a serialization failure (40001) or a lock it would not wait for (55P03) — however
   * Spring wrapped it. The transaction was rolled back; the same request can simply be repeated.
   */
  static boolean databaseBusy(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLException sql
          && java.util.Set.of("40P01", "40001", "55P03").contains(sql.getSQLState())) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  private ResponseEntity<Object> respond(ProblemDetail problem, WebRequest request) {
    return handleExceptionInternal(
        new IllegalStateException(problem.getDetail()),
        problem,
        new HttpHeaders(),
        HttpStatusCode.valueOf(problem.getStatus()),
        request);
  }

  private static String kindOf(HttpStatusCode status) {
    return switch (status.value()) {
      case 404 -> Problems.NOT_FOUND;
      case 405 -> Problems.METHOD_NOT_ALLOWED;
      case 406 -> Problems.NOT_ACCEPTABLE;
      case 413 -> Problems.REQUEST_TOO_LARGE;
      case 415 -> Problems.UNSUPPORTED_MEDIA_TYPE;
      case 400 -> Problems.BAD_REQUEST;
      default -> status.is5xxServerError() ? Problems.INTERNAL_ERROR : Problems.BAD_REQUEST;
    };
  }
}
