package io.batchexecutor.task;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A submission (or an upload) its client's limits do not let through: too many runs in one request
 * (400: waiting does not help), too many unfinished tasks, too many submissions a second or too
 * many uploads at once (429, with when to try again). Carries the limit and the count that passed
 * it, for the problem's properties.
 */
public class SubmissionRefusedException extends RuntimeException {

  /** The kind of a submission that would pass the client's max-unfinished-tasks. */
  public static final String TOO_MANY_UNFINISHED_TASKS = "too-many-unfinished-tasks";

  /** The kind of a submission beyond the client's submissions-per-second on this instance. */
  public static final String TOO_MANY_SUBMISSIONS = "too-many-submissions";

  /** The kind of an upload beyond the client's uploads-per-client on this instance. */
  public static final String TOO_MANY_UPLOADS = "too-many-uploads";

  /** How long a client with too many uploads in flight is asked to wait before it tries again. */
  public static final Duration UPLOADS_RETRY_AFTER = Duration.ofSeconds(1);

  /** The kind of a submission asking for more runs than the client's max-runs-per-request. */
  public static final String TOO_MANY_RUNS = "too-many-runs";

  /** How long a client over max-unfinished-tasks is asked to wait before it tries again. */
  public static final Duration UNFINISHED_RETRY_AFTER = Duration.ofSeconds(5);

  private final int status;
  private final String kind;
  private final String title;
  private final Duration retryAfter;
  private final Map<String, Object> properties;

  private SubmissionRefusedException(
      int status,
      String kind,
      String title,
      String detail,
      Duration retryAfter,
      Map<String, Object> properties) {
    super(detail);
    this.status = status;
    this.kind = kind;
    this.title = title;
    this.retryAfter = retryAfter;
    this.properties = properties;
  }

  /** {@code unfinished} tasks of the client's are not yet ended; {@code adding} would pass max. */
  public static SubmissionRefusedException tooManyUnfinished(int max, long unfinished, int adding) {
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("limit", max);
    properties.put("unfinished_tasks", unfinished);
    properties.put("tasks_submitted", adding);
    return new SubmissionRefusedException(
        429,
        TOO_MANY_UNFINISHED_TASKS,
        "Too many unfinished tasks",
        "this client has "
            + unfinished
            + " unfinished tasks and may have "
            + max
            + " (batch-executor.clients.<name>.max-unfinished-tasks); this submission adds "
            + adding
            + ". Send it again once some have ended",
        UNFINISHED_RETRY_AFTER,
        properties);
  }

  /** The client's bucket on this instance is empty; a token is there after {@code wait}. */
  public static SubmissionRefusedException tooManySubmissions(
      double perSecond, int burst, Duration wait) {
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("submissions_per_second", perSecond);
    properties.put("submission_burst", burst);
    return new SubmissionRefusedException(
        429,
        TOO_MANY_SUBMISSIONS,
        "Too many submissions",
        "this client may submit "
            + perSecond
            + " a second on this instance, "
            + burst
            + " at once (batch-executor.clients.<name>.submissions-per-second, submission-burst);"
            + " send this one again after Retry-After",
        wait,
        properties);
  }

  /** The client has {@code max} uploads or upload deletions in flight on this instance. */
  public static SubmissionRefusedException tooManyUploads(int max) {
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("limit", max);
    return new SubmissionRefusedException(
        429,
        TOO_MANY_UPLOADS,
        "Too many uploads at once",
        "this client has "
            + max
            + " uploads or upload deletions in flight on this instance, as many as it may"
            + " (batch-executor.files.uploads-per-client); send this one again when one has been"
            + " answered",
        UPLOADS_RETRY_AFTER,
        properties);
  }

  /** One submission asks for {@code runs}, more than {@code max}. */
  public static SubmissionRefusedException tooManyRuns(int max, long runs) {
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("limit", max);
    properties.put("runs", runs);
    return new SubmissionRefusedException(
        400,
        TOO_MANY_RUNS,
        "Too many runs in one submission",
        "this submission asks for "
            + runs
            + " runs (a sweep's combinations, summed over a workflow's tasks); this client may ask"
            + " for "
            + max
            + " in one (batch-executor.clients.<name>.max-runs-per-request): split it",
        null,
        properties);
  }

  /** The HTTP status: 400 or 429. */
  public int status() {
    return status;
  }

  /** The problem's kind, one of this class's constants. */
  public String kind() {
    return kind;
  }

  public String title() {
    return title;
  }

  /** How long to wait before trying again; null when waiting does not help. */
  public Duration retryAfter() {
    return retryAfter;
  }

  /** The limit and the count that passed it, by their names in the problem. */
  public Map<String, Object> properties() {
    return properties;
  }
}
