package io.batchexecutor.task;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A task's history as it grows: the one checked move every change of status goes through, and the
 * facts recorded without one (each an {@link EventKind}), among them the waits for a service that
 * does not answer. The events wait in {@code pendingEvents} until {@link TaskRepository#update}
 * writes them with the task's changes.
 */
abstract sealed class TaskHistory extends TaskState permits Task {

  TaskHistory(TaskFields fields) {
    super(fields);
  }

  // ---- facts on the way and while it runs ----------------------------------------------------

  /** The task's own (baked) image exists locally under {@code reference}. */
  public void imageBuilt(String reference, boolean reused, Instant at) {
    imageBuilt(reference, reused, false, at);
  }

  /**
   * The task's image exists locally under {@code reference}: built for it, or {@code reused} as it
   * was; an {@code environment} image (staged payload) or the task's own (baked).
   */
  public void imageBuilt(String reference, boolean reused, boolean environment, Instant at) {
    this.imageRef = reference;
    record(
        EventKind.IMAGE,
        (environment ? "environment image " : "image ")
            + (reused ? "reused: " : "built: ")
            + reference,
        Map.of("image", reference, "reused", reused, "payload", environment ? "staged" : "baked"),
        at);
  }

  /**
   * The engine no longer had the task's image {@code reference} when a container was to be created
   * from it: the task finds or builds its image again.
   */
  public void imageGone(String reference, Instant at) {
    this.imageRef = null;
    record(
        EventKind.IMAGE,
        reference + " was removed from the engine before the container was created: looking again",
        Map.of("gone", reference),
        at);
  }

  /** The image is in the registry as {@code remoteReference}, which jobs run from. */
  public void imagePushed(String remoteReference, boolean alreadyThere, Instant at) {
    this.imageRef = remoteReference;
    record(
        EventKind.IMAGE_PUSHED,
        alreadyThere ? "already in the registry: " + remoteReference : "pushed " + remoteReference,
        Map.of("image", remoteReference, "already_there", alreadyThere),
        at);
  }

  /** The job definition that the task is submitted with. */
  public void registered(String jobDefinitionArn, Instant at) {
    this.jobDefinitionArn = jobDefinitionArn;
    record(EventKind.JOB_DEFINITION, jobDefinitionArn, Map.of("arn", jobDefinitionArn), at);
  }

  /**
   * The job definition revision the task was to be submitted with was deregistered before: the task
   * looks for its definition again.
   */
  public void definitionGone(String jobDefinitionArn, Instant at) {
    this.jobDefinitionArn = null;
    record(
        EventKind.JOB_DEFINITION,
        jobDefinitionArn + " was deregistered before the job was submitted: looking again",
        Map.of("deregistered", jobDefinitionArn),
        at);
  }

  /** A failed attempt is retried in the new container {@code containerId}. */
  public void retriedIn(String containerId, Instant at) {
    this.containerId = containerId;
    record(
        EventKind.CONTAINER,
        "attempt continues in container " + shortId(containerId),
        Map.of("container_id", containerId),
        at);
  }

  /** A new attempt of the task started. */
  public void attemptStarted(int attempt, Map<String, Object> details, Instant at) {
    this.attempts = Math.max(attempts, attempt);
    Map<String, Object> all = new LinkedHashMap<>(details);
    all.put("attempt", attempt);
    record(EventKind.ATTEMPT, "attempt " + attempt + " started", all, at);
  }

  /** The task asked for more than its backend gives it; {@code reason} says what it gets. */
  public void limited(String reason, Instant at) {
    record(EventKind.LIMITED, reason, Map.of(), at);
  }

  /** The log stream that carries the task's output. */
  public void logStream(String logStreamName, Instant at) {
    if (logStreamName != null && !logStreamName.equals(this.logStreamName)) {
      this.logStreamName = logStreamName;
      record(EventKind.LOG_STREAM, logStreamName, Map.of("log_stream_name", logStreamName), at);
    }
  }

  /** The backend found the job {@code jobId} that it submitted for the task before a restart. */
  public void recovered(String jobId, Instant at) {
    record(
        EventKind.RECOVERED,
        "found job " + jobId + " submitted before a restart",
        Map.of("job_id", jobId),
        at);
  }

  /**
   * The task runs on a larger size than it asked for: {@code reason} names both, {@code size} gives
   * the one it runs on.
   */
  public void sizedUp(String reason, Map<String, Object> size, Instant at) {
    record(EventKind.FARGATE_SIZE, reason, size, at);
  }

  /** Records that a fraction of a vCPU was rounded up to what the queue's platform takes. */
  public void vcpuRounded(String reason, Map<String, Object> vcpu, Instant at) {
    record(EventKind.VCPU_ROUNDED, reason, vcpu, at);
  }

  /** Options of the task's execution profile that its platform does not run are left out. */
  public void optionsLeftOut(String reason, Instant at) {
    record(EventKind.LINUX_OPTIONS_LEFT_OUT, reason, Map.of(), at);
  }

  // ---- waiting for a service ------------------------------------------------------------------

  /**
   * A service the current step needs did not answer ({@code description} says which and what to
   * do); the step runs again after {@code retryIn}. The status stays; its reason says why it waits.
   */
  public void unreachable(String description, Duration retryIn, Instant at) {
    if (unreachableSince == null) {
      unreachableSince = at;
    }
    unreachableTries++;
    long seconds = Math.max(1, Math.round(retryIn.toMillis() / 1000.0));
    String reason =
        "waiting: " + description + " (try " + unreachableTries + "; next in " + seconds + " s)";
    record(
        EventKind.UNREACHABLE,
        reason,
        Map.of("tries", unreachableTries, "retry_in_seconds", seconds, "what", description),
        at);
    statusReason = StorableText.of(reason);
  }

  /** The service that did not answer answers again; recorded once, when a wait ends. */
  public void reachableAgain(Instant at) {
    if (unreachableTries == 0) {
      return;
    }
    record(
        EventKind.REACHABLE,
        "answered again after " + unreachableTries + " unanswered tries",
        Map.of("tries", unreachableTries),
        at);
    unreachableSince = null;
    unreachableTries = 0;
  }

  // ---- recording ------------------------------------------------------------------------------

  /** A failed attempt is retried: {@code reason} says why and which attempt starts. */
  public void retrying(String reason, Map<String, Object> details, Instant at) {
    record(EventKind.RETRY, reason, details, at);
  }

  /** Records a fact about the task that does not change its status. */
  final void record(EventKind kind, String reason, Map<String, Object> details, Instant at) {
    pendingEvents.add(new TaskEvent(at, kind, status, status, StorableText.of(reason), details));
    this.updatedAt = at;
  }

  final void moveTo(TaskStatus next, String reason, Map<String, Object> details, Instant at) {
    if (!status.canMoveTo(next)) {
      throw new IllegalTransitionException(id(), status, next);
    }
    String storable = StorableText.of(reason);
    pendingEvents.add(new TaskEvent(at, EventKind.STATUS, status, next, storable, details));
    this.status = next;
    this.statusReason = storable;
    this.updatedAt = at;
  }

  static String shortId(String containerId) {
    return containerId.length() > 12 ? containerId.substring(0, 12) : containerId;
  }
}
