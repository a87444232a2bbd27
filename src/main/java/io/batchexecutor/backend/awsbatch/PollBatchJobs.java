package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.backend.BackOff;
import io.batchexecutor.backend.RunnerOutcome;
import io.batchexecutor.backend.Unreachable;
import io.batchexecutor.config.ResultSizeLimit;
import io.batchexecutor.runner.RunnerContract;
import io.batchexecutor.runner.RunnerResult;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.storage.ObjectTooLargeException;
import io.batchexecutor.task.SubWorkflows;
import io.batchexecutor.task.Sweep;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskError;
import io.batchexecutor.task.TaskQueries;
import io.batchexecutor.task.TaskRepository;
import io.batchexecutor.task.TaskStatus;
import io.batchexecutor.task.WorkQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.batch.model.AttemptDetail;
import software.amazon.awssdk.services.batch.model.JobDetail;
import software.amazon.awssdk.services.batch.model.JobStatus;
import tools.jackson.databind.json.JsonMapper;

/**
 * The batched poller: each tick claims up to 100 submitted tasks that are due (each task is due
 * every {@code poll_freq} seconds), asks AWS Batch about all their jobs in one DescribeJobs call,
 * mirrors what it says (status, status reason, attempts, exit codes, log stream), collects the
 * result of finished jobs from S3, and hands the rest back until their next poll.
 */
public class PollBatchJobs implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(PollBatchJobs.class);
  static final int MAX_JOBS_PER_CALL = 100;

  private final TaskRepository tasks;
  private final WorkQueue queue;
  private final TaskQueries queries;
  private final BatchClient batch;
  private final Throttling throttling;
  private final BatchResults results;
  private final Clock clock;
  private final Duration runnableWarning;
  private final BackOff backOff;
  private final Lease lease;

  /**
   * The leases the poller claims with: a name of its own under this instance's ({@code
   * <instance>/batch-poller}, so that its releases never touch a lease the pipeline holds, while a
   * graceful stop, which gives back every lease of the instance and its parts, gives back the
   * poller's too), and the pipeline's lease duration.
   */
  public record Lease(String owner, Duration duration) {}

  public PollBatchJobs(
      TaskRepository tasks,
      WorkQueue queue,
      TaskQueries queries,
      BatchClient batch,
      Throttling throttling,
      ObjectStores stores,
      JsonMapper json,
      ResultSizeLimit maxResult,
      Clock clock,
      Lease lease,
      Duration runnableWarning,
      BackOff backOff) {
    this(
        tasks,
        queue,
        queries,
        batch,
        throttling,
        stores,
        json,
        maxResult,
        clock,
        lease,
        runnableWarning,
        backOff,
        SubWorkflows.NONE);
  }

  /** The poller, with {@code subWorkflows} taking the sub-workflows jobs return. */
  public PollBatchJobs(
      TaskRepository tasks,
      WorkQueue queue,
      TaskQueries queries,
      BatchClient batch,
      Throttling throttling,
      ObjectStores stores,
      JsonMapper json,
      ResultSizeLimit maxResult,
      Clock clock,
      Lease lease,
      Duration runnableWarning,
      BackOff backOff,
      SubWorkflows subWorkflows) {
    this.backOff = backOff;
    this.tasks = tasks;
    this.queue = queue;
    this.queries = queries;
    this.batch = batch;
    this.throttling = throttling;
    this.results = new BatchResults(stores, json, maxResult, subWorkflows);
    this.clock = clock;
    this.lease = lease;
    this.runnableWarning = runnableWarning;
  }

  @Override
  public void run() {
    try {
      while (pollOnce() == MAX_JOBS_PER_CALL) {
        // a full batch: more may be due
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("Polling AWS Batch failed; trying again at the next tick: {}", e.getMessage());
    }
  }

  /** One claim and one DescribeJobs call; the number of tasks polled. */
  int pollOnce() throws InterruptedException {
    Instant now = clock.instant();
    String owner = lease.owner();
    List<Task> claimed =
        queue.claimWatched(
            owner, MAX_JOBS_PER_CALL, now, now.plus(lease.duration()), AwsBatchBackend.WATCHED);
    if (claimed.isEmpty()) {
      return 0;
    }
    List<Task> due = claimed;
    Map<String, JobDetail> jobs = new HashMap<>();
    try {
      List<String> ids = due.stream().map(Task::batchJobId).distinct().toList();
      for (JobDetail job : throttling.call(() -> batch.describeJobs(b -> b.jobs(ids)).jobs())) {
        jobs.put(job.jobId(), job);
      }
    } catch (RuntimeException e) {
      Optional<Unreachable> unreachable = AwsUnreachable.of(e);
      for (Task task : due) {
        Duration next = Duration.ofSeconds(task.settings().pollFreq());
        if (unreachable.isPresent()) {
          Duration wait = backOff.apply(task, unreachable.get(), now);
          if (wait != null && wait.compareTo(next) > 0) {
            next = wait;
          }
          tasks.update(task);
        }
        queue.release(task.id(), owner, now.plus(next));
      }
      throw e;
    }
    // DescribeJobs may have waited out AWS's throttling: the leases are renewed before anything
    // is written, and a task whose lease is gone meanwhile (a graceful stop gave it back, or it
    // expired and another poller has it) is left alone here
    Set<UUID> held =
        Set.copyOf(
            queue.renewLeases(
                owner,
                due.stream().map(Task::id).toList(),
                clock.instant().plus(lease.duration())));
    due = due.stream().filter(t -> held.contains(t.id())).toList();
    for (Task task : due) {
      try {
        apply(task, jobs.get(task.batchJobId()), now);
        if (tasks.update(task) && !task.status().isFinal()) {
          queue.release(task.id(), owner, now.plusSeconds(task.settings().pollFreq()));
        }
      } catch (RuntimeException e) {
        log.warn("Could not record the Batch status of task {}: {}", task.id(), e.getMessage());
        queue.release(task.id(), owner, now.plusSeconds(task.settings().pollFreq()));
      }
    }
    return claimed.size();
  }

  void apply(Task task, JobDetail job, Instant now) {
    if (job == null) {
      if (Duration.between(task.updatedAt(), now).compareTo(Duration.ofMinutes(10)) > 0) {
        String reason = "AWS Batch no longer knows job " + task.batchJobId();
        task.fail(reason, new TaskError("JobNotFound", reason, null), null, null, now);
      }
      return; // just submitted: not visible yet
    }
    task.reachableAgain(now);
    recordAttempts(task, job, now);
    if (job.container() != null) {
      task.logStream(job.container().logStreamName(), now);
    }
    JobStatus status = job.status();
    switch (status) {
      case SUCCEEDED, FAILED -> {
        try {
          if (status == JobStatus.SUCCEEDED) {
            results.succeeded(task, exitCode(job), now);
          } else {
            failed(task, job, now);
          }
        } catch (ObjectTooLargeException e) {
          results.tooLarge(task, e, exitCode(job), now);
        }
      }
      case SUBMITTED, PENDING, RUNNABLE, STARTING, RUNNING -> {
        TaskStatus observed = TaskStatus.valueOf(status.name());
        Optional<String> progress =
            runnableTooLong(task, job, now).isPresent()
                ? Optional.empty() // the warning says more than the counts
                : sweepProgress(task, job);
        if (progress.isPresent() && observed == task.status()) {
          task.progress(progress.get());
        } else {
          task.observe(observed, progress.orElseGet(() -> reasonFor(task, job, now)), now);
        }
      }
      default -> log.warn("Task {}: AWS Batch reports an unknown status {}", task.id(), status);
    }
  }

  private String reasonFor(Task task, JobDetail job, Instant now) {
    return runnableTooLong(task, job, now)
        .orElse(job.statusReason() != null ? job.statusReason() : "AWS Batch: " + job.status());
  }

  /** A job RUNNABLE for longer than the warning says so, naming what to check. */
  private Optional<String> runnableTooLong(Task task, JobDetail job, Instant now) {
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
        parts.add(n + " " + status.toLowerCase(java.util.Locale.ROOT));
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

  private void recordAttempts(Task task, JobDetail job, Instant now) {
    List<AttemptDetail> attempts = job.attempts();
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
      }
      task.attemptStarted(i + 1, details, now);
    }
  }

  private void failed(Task task, JobDetail job, Instant now) {
    if (!task.dependsOn().isEmpty() && job.attempts().isEmpty() && dependencyFailed(task, now)) {
      return;
    }
    if (task.spec().hasSweep()) {
      // a run that refused the array job's payload says so where the gathered result goes
      String top = JobDefinitions.resultPrefix(task) + RunnerContract.RESULT_FILE;
      Optional<RunnerResult> refusal = results.document(top).filter(RunnerOutcome::refused);
      if (refusal.isPresent()) {
        RunnerOutcome.failRaised(task, refusal.get(), exitCode(job), null, now);
        return;
      }
      String summary =
          job.arrayProperties() != null && job.arrayProperties().hasStatusSummary()
              ? " (" + job.arrayProperties().statusSummary() + ")"
              : "";
      String reason = "the array job FAILED: some combinations ended without a result" + summary;
      task.fail(reason, new TaskError("SweepFailed", reason, null), exitCode(job), null, now);
      return;
    }
    String pointer = JobDefinitions.resultPrefix(task) + RunnerContract.RESULT_FILE;
    Integer exit = exitCode(job);
    Optional<RunnerResult> result = results.document(pointer);
    if (result.isPresent() && RunnerOutcome.raised(result.get())) {
      RunnerOutcome.failRaised(task, result.get(), exit, pointer, now);
      return;
    }
    String statusReason = job.statusReason() == null ? "" : job.statusReason();
    if (statusReason.contains("timeout")) {
      String reason =
          "time limit of "
              + task.settings().timeLimit()
              + " s exceeded (AWS Batch: "
              + statusReason
              + ")";
      task.fail(reason, new TaskError("TimeLimitExceeded", reason, null), exit, null, now);
      return;
    }
    String reason = jobFailed(statusReason, job, exit);
    task.fail(reason, new TaskError("BatchJobFailed", reason, null), exit, null, now);
  }

  /**
   * Batch fails a job whose dependency failed without ever starting it: that is a cancel, named
   * after the dependency once its end is recorded (which also cancels this task). Answers whether
   * that is what happened: the task cancelled, or left for the next poll while the dependency's
   * failure is not recorded yet.
   */
  private boolean dependencyFailed(Task task, Instant now) {
    List<Task> upstream = queries.findAll(task.dependsOn().values());
    for (Task u : upstream) {
      if (u.status().isFinal() && u.status() != TaskStatus.SUCCEEDED) {
        task.cancel(
            "cancelled: its dependency '" + u.workflowKey() + "' " + u.status().name(), now);
        return true;
      }
    }
    return upstream.stream().anyMatch(u -> !u.status().isFinal());
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

  private static Integer exitCode(JobDetail job) {
    return job.container() == null ? null : job.container().exitCode();
  }
}
