package io.batchexecutor.api;

import io.batchexecutor.task.FileTransferChecks;
import io.batchexecutor.task.InvalidTaskException;
import io.batchexecutor.task.SubmissionRefusedException;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;

/** The stable problem types of the API, one per kind of error (RFC 9457 {@code type}). */
public final class Problems {

  public static final String PREFIX = "urn:problem-type:batch-executor:";

  public static final String INVALID_REQUEST = "invalid-request";
  public static final String MALFORMED_JSON = "malformed-json";
  public static final String UNKNOWN_FIELD = "unknown-field";
  public static final String SETTING_NOT_ALLOWED = InvalidTaskException.SETTING_NOT_ALLOWED;
  public static final String EXECUTION_PROFILE_NOT_ALLOWED =
      InvalidTaskException.PROFILE_NOT_ALLOWED;
  public static final String RESOURCE_ABOVE_MAXIMUM = InvalidTaskException.ABOVE_MAXIMUM;
  public static final String BASE_IMAGE_NOT_ALLOWED = InvalidTaskException.BASE_IMAGE_NOT_ALLOWED;
  public static final String BACKEND_NOT_AVAILABLE = InvalidTaskException.BACKEND_NOT_LISTED;
  public static final String BACKEND_PROFILE_MISMATCH = InvalidTaskException.BACKEND_MISMATCH;
  public static final String NOT_ON_PLATFORM = InvalidTaskException.NOT_ON_PLATFORM;
  public static final String EXECUTION_PROFILE_UNUSABLE = InvalidTaskException.PROFILE_UNUSABLE;
  public static final String ENVIRONMENT_NAME_RESERVED = InvalidTaskException.ENVIRONMENT_RESERVED;
  public static final String SECRET_NOT_ALLOWED = InvalidTaskException.SECRET_NOT_ALLOWED;
  public static final String REQUEST_TOO_LARGE = "request-too-large";
  public static final String BODY_TOO_SLOW = "request-body-too-slow";
  public static final String TOO_MANY_BODIES = "too-many-request-bodies";
  public static final String TASK_NOT_FOUND = "task-not-found";
  public static final String WORKFLOW_NOT_FOUND = "workflow-not-found";
  public static final String TASK_STATE_CONFLICT = "task-state-conflict";
  public static final String TASK_NOT_FINISHED = "task-not-finished";
  public static final String TASK_FAILED = "task-failed";
  public static final String NO_ERROR = "no-error";
  public static final String TASK_IN_WORKFLOW = "task-in-workflow";
  public static final String WORKFLOW_NOT_FINISHED = "workflow-not-finished";
  public static final String WORKFLOW_BEING_DELETED = "workflow-being-deleted";
  public static final String NO_LOGS = "no-logs";
  public static final String RESULT_MISSING = "result-missing";
  public static final String RESULT_ALTERED = "result-altered";
  public static final String NOT_IN_THIS_OBJECT_STORE = "not-in-this-object-store";
  public static final String IDEMPOTENCY_KEY_REUSED = "idempotency-key-reused";
  public static final String NOT_FOUND = "not-found";
  public static final String FORBIDDEN = "forbidden";
  public static final String METHOD_NOT_ALLOWED = "method-not-allowed";
  public static final String UNSUPPORTED_MEDIA_TYPE = "unsupported-media-type";
  public static final String NOT_ACCEPTABLE = "not-acceptable";
  public static final String BAD_REQUEST = "bad-request";
  public static final String BAD_CURSOR = "bad-cursor";
  public static final String INTERNAL_ERROR = "internal-error";
  public static final String DATABASE_UNAVAILABLE = "database-unavailable";
  public static final String DATABASE_BUSY = "database-busy";
  public static final String BACKEND_UNAVAILABLE = "backend-unavailable";
  public static final String TOO_MANY_FOLLOWERS = "too-many-followers";
  public static final String TOO_MANY_HELD_WAITS = "too-many-held-waits";
  public static final String TOO_MANY_UNFINISHED_TASKS =
      SubmissionRefusedException.TOO_MANY_UNFINISHED_TASKS;
  public static final String TOO_MANY_SUBMISSIONS = SubmissionRefusedException.TOO_MANY_SUBMISSIONS;
  public static final String TOO_MANY_RUNS = SubmissionRefusedException.TOO_MANY_RUNS;
  public static final String FILE_TOO_LARGE = "file-too-large";
  public static final String UPLOAD_QUOTA_EXCEEDED = "upload-quota-exceeded";
  public static final String TOO_MANY_UPLOADS = SubmissionRefusedException.TOO_MANY_UPLOADS;
  public static final String UPLOAD_NOT_FOUND = FileTransferChecks.UPLOAD_NOT_FOUND;
  public static final String FILE_TRANSFER_NOT_SUPPORTED = FileTransferChecks.NOT_SUPPORTED;
  public static final String FILE_TRANSFER_RESERVED = FileTransferChecks.RESERVED_S3;
  public static final String FILE_NOT_FOUND = "file-not-found";

  private Problems() {}

  /**
   * The kind of a refused task: the violations' own kind when they all share one (an execution
   * profile not allowed, an operator's setting, a resource above its maximum, a base image not
   * allowed), else {@link #INVALID_REQUEST}.
   */
  public static String ofViolations(List<InvalidTaskException.Violation> violations) {
    String kind = violations.isEmpty() ? null : violations.get(0).kind();
    boolean shared =
        kind != null && violations.stream().allMatch(v -> Objects.equals(kind, v.kind()));
    return shared ? kind : INVALID_REQUEST;
  }

  /** A problem of {@code kind} with the given status, title and detail. */
  public static ProblemDetail of(HttpStatusCode status, String kind, String title, String detail) {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
    problem.setType(URI.create(PREFIX + kind));
    problem.setTitle(title);
    return problem;
  }
}
