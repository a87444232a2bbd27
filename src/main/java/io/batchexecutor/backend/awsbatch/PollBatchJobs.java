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
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskError;
import io.batchexecutor.task.TaskQueries;
import io.batchexecutor.task.TaskRepository;
import io.batchexecutor.task.TaskStatus;
import io.batchexecutor.task.WorkQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.batch.model.JobDetail;
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

  /** Applies what {@code job} (null: not in DescribeJobs' answer) means to {@code task}. */
  void apply(Task task, JobDetail job, Instant now) {
    JobChange change = JobChange.of(task, job, now, runnableWarning);
    if (job != null) {
      task.reachableAgain(now);
    }
    for (JobChange.Attempt attempt : change.attempts()) {
      task.attemptStarted(attempt.number(), attempt.details(), now);
    }
    if (job != null && job.container() != null) {
      task.logStream(change.logStream(), now);
    }
    JobChange.Step step = change.step();
    if (step instanceof JobChange.Vanished v) {
      task.fail(v.reason(), new TaskError("JobNotFound", v.reason(), null), null, null, now);
    } else if (step instanceof JobChange.Waiting w) {
      if (w.progressOnly()) {
        task.progress(w.reason());
      } else {
        task.observe(w.status(), w.reason(), now);
      }
    } else if (step instanceof JobChange.Succeeded s) {
      try {
        results.succeeded(task, s.exitCode(), now);
      } catch (ObjectTooLargeException e) {
        results.tooLarge(task, e, s.exitCode(), now);
      }
    } else if (step instanceof JobChange.Failed f) {
      try {
        failed(task, f, now);
      } catch (ObjectTooLargeException e) {
        results.tooLarge(task, e, f.exitCode(), now);
      }
    } else if (step instanceof JobChange.Unknown u) {
      log.warn("Task {}: AWS Batch reports an unknown status {}", task.id(), u.status());
    }
    // NotVisibleYet: just submitted, not visible yet
  }

  /**
   * A failed job: a dependency's failure, a refused payload or the function's exception, read where
   * they are, say more than the job's own reason.
   */
  private void failed(Task task, JobChange.Failed f, Instant now) {
    if (f.dependencyFirst() && dependencyFailed(task, now)) {
      return;
    }
    String pointer = JobDefinitions.resultPrefix(task) + RunnerContract.RESULT_FILE;
    Optional<RunnerResult> result = results.document(pointer);
    if (f.sweep()) {
      // a run that refused the array job's payload says so where the gathered result goes
      Optional<RunnerResult> refusal = result.filter(RunnerOutcome::refused);
      if (refusal.isPresent()) {
        RunnerOutcome.failRaised(task, refusal.get(), f.exitCode(), null, now);
        return;
      }
    } else if (result.isPresent() && RunnerOutcome.raised(result.get())) {
      RunnerOutcome.failRaised(task, result.get(), f.exitCode(), pointer, now);
      return;
    }
    task.fail(f.reason(), new TaskError(f.errorType(), f.reason(), null), f.exitCode(), null, now);
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
}
