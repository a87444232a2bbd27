package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.task.Sweep;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.batch.model.AttemptDetail;
import software.amazon.awssdk.services.batch.model.JobDetail;
import software.amazon.awssdk.services.batch.model.JobStatus;

/**
 * What a {@link JobDetail} from DescribeJobs means for its task, worked out without any call or
 * write: the attempts the task has not recorded yet, the log stream, and one {@link Step} — nothing
 * yet, gone, still waiting or running (with the reason or progress to show), succeeded, or failed
 * (with the reason to record unless a look at S3 or at the dependencies says more). The poller and
 * the event path both apply it ({@link PollBatchJobs#apply}).
 *
 * @param attempts the job's attempts after those the task has recorded, numbered from 1
 * @param logStream the job's log stream, if Batch named one
 * @param step what happened to the job
 */
record JobChange(List<Attempt> attempts, String logStream, Step step) {

  /** How long a submitted job may stay invisible to DescribeJobs before it counts as gone. */
  static final Duration INVISIBLE = Duration.ofMinutes(10);

  /** The status reason of an attempt whose host went away: a Spot reclaim or a lost instance. */
  static final String HOST_TERMINATED = "Host EC2";

  /** One attempt as the task's events record it. */
  record Attempt(int number, Map<String, Object> details) {}

  /** What happened to the job. */
  sealed interface Step {}

  /** DescribeJobs does not show the job yet (it was just submitted): nothing to do. */
  record NotVisibleYet() implements Step {}

  /** DescribeJobs has not shown the job for longer than {@link #INVISIBLE}. */
  record Vanished(String reason) implements Step {}

  /**
   * The job is SUBMITTED, PENDING, RUNNABLE, STARTING or RUNNING.
   *
   * @param progressOnly whether only the reason changes (the status is the task's already and the
   *     reason is a sweep's progress)
   */
  record Waiting(TaskStatus status, String reason, boolean progressOnly) implements Step {}

  /** The job SUCCEEDED; the result is collected from S3. */
  record Succeeded(Integer exitCode) implements Step {}

  /**
   * The job FAILED.
   *
   * @param dependencyFirst whether the task's dependencies are looked at first: Batch fails a job
   *     whose dependency failed without starting it
   * @param sweep whether it is a sweep's array job (then only a refused payload says more than this
   *     reason)
   * @param errorType the error's type unless the result in S3 says more
   * @param reason the reason unless the result in S3 says more
   */
  record Failed(
      boolean dependencyFirst, boolean sweep, String errorType, String reason, Integer exitCode)
      implements Step {}

  /** A status this version does not know. */
  record Unknown(String status) implements Step {}

  /** What {@code job} (null: not in DescribeJobs' answer) means for {@code task} at {@code now}. */
  static JobChange of(Task task, JobDetail job, Instant now, Duration runnableWarning) {
    if (job == null) {
      if (Duration.between(task.updatedAt(), now).compareTo(INVISIBLE) > 0) {
        return new JobChange(
            List.of(), null, new Vanished("AWS Batch no longer knows job " + task.batchJobId()));
      }
      return new JobChange(List.of(), null, new NotVisibleYet());
    }
    List<Attempt> attempts = newAttempts(task, job);
    String logStream = job.container() == null ? null : job.container().logStreamName();
    Step step =
        switch (job.status()) {
          case SUCCEEDED -> new Succeeded(exitCode(job));
          case FAILED -> failed(task, job);
          case SUBMITTED, PENDING, RUNNABLE, STARTING, RUNNING ->
              waiting(task, job, now, runnableWarning);
          default -> new Unknown(String.valueOf(job.statusAsString()));
        };
    return new JobChange(attempts, logStream, step);
  }

  private static Step waiting(Task task, JobDetail job, Instant now, Duration runnableWarning) {
    TaskStatus observed = TaskStatus.valueOf(job.status().name());
    Optional<String> tooLong = runnableTooLong(task, job, now, runnableWarning);
    Optional<String> progress =
        tooLong.isPresent()
            ? Optional.empty() // the warning says more than the counts
            : sweepProgress(task, job);
    if (progress.isPresent() && observed == task.status()) {
      return new Waiting(observed, progress.get(), true);
    }
    return new Waiting(
        observed,
        progress.or(() -> tooLong).or(() -> retriedAfterHostLoss(job)).orElse(reason(job)),
        false);
  }

  private static String reason(JobDetail job) {
    return job.statusReason() != null ? job.statusReason() : "AWS Batch: " + job.status();
  }

  /**
   * A job that goes on after an attempt whose host was terminated says so: Batch retries it by the
   * definition's {@code Host EC2*} rule, and that attempt counts among the task's retry attempts.
   */
  private static Optional<String> retriedAfterHostLoss(JobDetail job) {
    if (!job.hasAttempts() || job.attempts().isEmpty()) {
      return Optional.empty();
    }
    AttemptDetail last = job.attempts().get(job.attempts().size() - 1);
    if (last.statusReason() == null || !last.statusReason().startsWith(HOST_TERMINATED)) {
      return Optional.empty();
    }
    return Optional.of(
        "retrying: attempt "
            + job.attempts().size()
            + " lost its host ("
            + last.statusReason()
            + "; a Spot reclaim or a lost instance); AWS Batch: "
            + job.status());
  }

  /** A job RUNNABLE for longer than the warning says so, naming what to check. */
  private static Optional<String> runnableTooLong(
      Task task, JobDetail job, Instant now, Duration runnableWarning) {
    if (job.status() == JobStatus.RUNNABLE && job.createdAt() != null) {
      Duration waiting = Duration.between(Instant.ofEpochMilli(job.createdAt()), now);
      if (waiting.compareTo(runnableWarning) > 0) {
        return Optional.of(
            "RUNNABLE for "
                + waiting.toMinutes()
                + " min: no compute environment of queue "
                + task.settings().batchQueue()
                + " has placed it yet (check its capacity for "
                + task.settings().vcpu()
                + " vCPU, "
                + task.settings().memoryMib()
                + " MiB"
                + (task.settings().numGpus() > 0 ? ", " + task.settings().numGpus() + " GPU" : "")
                + ")");
      }
    }
    return Optional.empty();
  }

  /** How far a sweep got, from the counts Batch keeps of its array job's children. */
  private static Optional<String> sweepProgress(Task task, JobDetail job) {
    if (!task.spec().hasSweep()
        || job.arrayProperties() == null
        || !job.arrayProperties().hasStatusSummary()) {
      return Optional.empty();
    }
    Map<String, Integer> counts = job.arrayProperties().statusSummary();
    List<String> parts = new ArrayList<>();
    for (String status : List.of("SUCCEEDED", "FAILED", "RUNNING", "STARTING", "RUNNABLE")) {
      int n = counts.getOrDefault(status, 0);
      if (n > 0) {
        parts.add(n + " " + status.toLowerCase(Locale.ROOT));
      }
    }
    return parts.isEmpty()
        ? Optional.empty()
        : Optional.of(
            "running "
                + Sweep.runCount(task.spec().sweep())
                + " combinations: "
                + String.join(", ", parts));
  }

  private static List<Attempt> newAttempts(Task task, JobDetail job) {
    List<AttemptDetail> attempts = job.attempts();
    List<Attempt> fresh = new ArrayList<>();
    for (int i = task.attempts(); i < attempts.size(); i++) {
      AttemptDetail a = attempts.get(i);
      Map<String, Object> details = new LinkedHashMap<>();
      if (a.container() != null) {
        if (a.container().exitCode() != null) {
          details.put("exit_code", a.container().exitCode());
        }
        if (a.container().logStreamName() != null) {
          details.put("log_stream_name", a.container().logStreamName());
        }
        if (a.container().reason() != null) {
          details.put("reason", a.container().reason());
        }
      }
      if (a.statusReason() != null) {
        details.put("status_reason", a.statusReason());
        if (a.statusReason().startsWith(HOST_TERMINATED)) {
          details.put("host_terminated", true);
        }
      }
      fresh.add(new Attempt(i + 1, details));
    }
    return fresh;
  }

  private static Failed failed(Task task, JobDetail job) {
    boolean dependencyFirst = !task.dependsOn().isEmpty() && job.attempts().isEmpty();
    Integer exit = exitCode(job);
    if (task.spec().hasSweep()) {
      String summary =
          job.arrayProperties() != null && job.arrayProperties().hasStatusSummary()
              ? " (" + job.arrayProperties().statusSummary() + ")"
              : "";
      return new Failed(
          dependencyFirst,
          true,
          "SweepFailed",
          "the array job FAILED: some combinations ended without a result" + summary,
          exit);
    }
    String statusReason = job.statusReason() == null ? "" : job.statusReason();
    if (statusReason.contains("timeout")) {
      return new Failed(
          dependencyFirst,
          false,
          "TimeLimitExceeded",
          "time limit of "
              + task.settings().timeLimit()
              + " s exceeded (AWS Batch: "
              + statusReason
              + ")",
          exit);
    }
    AttemptDetail last =
        job.attempts().isEmpty() ? null : job.attempts().get(job.attempts().size() - 1);
    if (last != null
        && last.statusReason() != null
        && last.statusReason().startsWith(HOST_TERMINATED)) {
      return new Failed(
          dependencyFirst,
          false,
          "HostTerminated",
          "the job FAILED: its host was terminated on the last of "
              + job.attempts().size()
              + " attempts (a Spot reclaim or a lost instance: "
              + last.statusReason()
              + "); every attempt counts against retry_attempts",
          exit);
    }
    return new Failed(
        dependencyFirst, false, "BatchJobFailed", jobFailed(statusReason, job, exit), exit);
  }

  /**
   * Why a job FAILED, from what Batch says: its status reason, the container's reason and the exit
   * code, the first of them after the colon and the rest in brackets.
   */
  private static String jobFailed(String statusReason, JobDetail job, Integer exit) {
    List<String> parts = new ArrayList<>();
    parts.add("the job FAILED");
    if (!statusReason.isEmpty()) {
      parts.add(statusReason);
    }
    if (job.container() != null && job.container().reason() != null) {
      parts.add(job.container().reason());
    }
    if (exit != null) {
      parts.add("exit code " + exit);
    }
    return String.join(": ", parts.subList(0, Math.min(2, parts.size())))
        + (parts.size() > 2 ? " (" + String.join(", ", parts.subList(2, parts.size())) + ")" : "");
  }

  static Integer exitCode(JobDetail job) {
    return job.container() == null ? null : job.container().exitCode();
  }
}
