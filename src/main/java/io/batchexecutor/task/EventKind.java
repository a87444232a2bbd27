package io.batchexecutor.task;

/**
 * What an entry in a task's history records. The names are the stored {@code task_event.kind} and
 * the API's {@code kind}: renaming a constant renames them both, so add and never rename.
 */
public enum EventKind {
  /** A change of status (from, to, reason). */
  STATUS,
  /** A new reason for the same status, e.g. AWS Batch's own words for a RUNNABLE job. */
  STATUS_REASON,
  /** An instance took the task's lease to work on it. */
  CLAIMED,
  /** The lease of an instance that stopped answering ran out; another may take the task. */
  LEASE_EXPIRED,
  /** Someone asked for the task to be cancelled. */
  CANCEL_REQUESTED,
  /** The task took the result of an earlier task with the same content instead of running. */
  REUSED,
  /** The task's image was built or reused locally. */
  IMAGE,
  /** The task's image reached the registry. */
  IMAGE_PUSHED,
  /** The job definition the task is submitted with. */
  JOB_DEFINITION,
  /** A job found in AWS Batch that was submitted for the task before a restart. */
  RECOVERED,
  /** The task runs on a larger Fargate size than it asked for. */
  FARGATE_SIZE,
  /** Linux options of the execution profile that the task's platform does not run. */
  LINUX_OPTIONS_LEFT_OUT,
  /** The task asked for more CPUs than the local engine has. */
  LIMITED,
  /** An attempt of the task started. */
  ATTEMPT,
  /** A failed attempt is retried. */
  RETRY,
  /** An attempt continues in a new container. */
  CONTAINER,
  /** The log stream that carries the task's output. */
  LOG_STREAM,
  /** A service the current step needs did not answer; the step runs again later. */
  UNREACHABLE,
  /** The service that did not answer answers again. */
  REACHABLE,
  /** The task runs with more vCPUs than it asked for: EC2 takes whole vCPUs. */
  VCPU_ROUNDED
}
