package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.backend.ComputeBackend;
import io.batchexecutor.backend.LogChunk;
import io.batchexecutor.backend.LogPosition;
import io.batchexecutor.backend.PipelineStep;
import io.batchexecutor.backend.Unreachable;
import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.task.InvalidTaskException;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import io.batchexecutor.task.WatchedTasks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.batch.BatchClient;

/**
 * Runs tasks on AWS Batch as the original executor did, minus its races: QUEUED → BUILDING →
 * PUSHING → REGISTERING → SUBMITTED, then the batched poller ({@link PollBatchJobs}) mirrors
 * PENDING/RUNNABLE/STARTING/RUNNING and records the end.
 */
public class AwsBatchBackend implements ComputeBackend {

  /** The backend's name, as its tasks record it. */
  public static final String NAME = "awsbatch";

  /** A submitted job is watched by the batched poller until it ends or a cancel is requested. */
  public static final WatchedTasks WATCHED =
      new WatchedTasks(
          NAME,
          EnumSet.of(
              TaskStatus.SUBMITTED,
              TaskStatus.PENDING,
              TaskStatus.RUNNABLE,
              TaskStatus.STARTING,
              TaskStatus.RUNNING));

  /**
   * How often a followed task's output is read: it comes from CloudWatch Logs, whose reads are
   * limited to a few per second for a whole account.
   */
  static final Duration LOG_READS = Duration.ofSeconds(5);

  private final List<PipelineStep> steps;
  private final BatchClient batch;
  private final BatchJobLogs logs;
  private final FargateRules fargate;
  private final ProfileSecrets secrets;

  AwsBatchBackend(List<PipelineStep> steps, BatchClient batch, BatchJobLogs logs) {
    this(steps, batch, logs, null, ProfileSecrets.NONE);
  }

  /**
   * The backend, with {@code fargate} (null: none) checking tasks against their queue's platform
   * and {@code secrets} the secrets they ask for against their profile's.
   */
  AwsBatchBackend(
      List<PipelineStep> steps,
      BatchClient batch,
      BatchJobLogs logs,
      FargateRules fargate,
      ProfileSecrets secrets) {
    this.steps = List.copyOf(steps);
    this.batch = batch;
    this.logs = logs;
    this.fargate = fargate;
    this.secrets = secrets;
  }

  @Override
  public List<InvalidTaskException.Violation> refusedSettings(
      TaskSettings requested, TaskSettings effective) {
    List<InvalidTaskException.Violation> problems = new ArrayList<>(secrets.problems(effective));
    if (fargate != null) {
      problems.addAll(fargate.problems(requested, effective));
    }
    return problems;
  }

  @Override
  public String name() {
    return NAME;
  }

  /** AWS Batch refuses job timeouts below a minute. */
  static final int MIN_TIMEOUT_SECONDS = 60;

  /** The runner reads and writes {@code files[].s3} with boto3, as the job's role. */
  @Override
  public boolean transfersS3Files() {
    return true;
  }

  @Override
  public int minTimeLimit() {
    return MIN_TIMEOUT_SECONDS;
  }

  @Override
  public String minTimeLimitReason() {
    return "on AWS Batch, which refuses shorter timeouts";
  }

  @Override
  public List<InvalidTaskException.Violation> refusedDependencies(
      Map<String, Set<String>> dependencies) {
    return FanInOnBatch.check(dependencies);
  }

  @Override
  public WatchedTasks watched() {
    return WATCHED;
  }

  @Override
  public Duration logReadInterval() {
    return LOG_READS;
  }

  @Override
  public List<PipelineStep> steps() {
    return steps;
  }

  /**
   * Terminates the task's job (Batch then reports it FAILED; the task records CANCELLED). A task
   * whose job id was not written yet is looked up by its job name, in case SubmitJob went through.
   */
  @Override
  public void stop(Task task) {
    String reason = "cancelled through batch-executor";
    if (task.batchJobId() != null) {
      batch.terminateJob(b -> b.jobId(task.batchJobId()).reason(reason));
      return;
    }
    SubmitBatchJob.jobsNamed(batch, task.settings().batchQueue(), SubmitBatchJob.jobName(task))
        .forEach(j -> batch.terminateJob(b -> b.jobId(j.jobId()).reason(reason)));
  }

  @Override
  public Optional<Unreachable> unreachable(Throwable failure) {
    return AwsUnreachable.of(failure);
  }

  /** The job's CloudWatch stream, once Batch has named it; also after the task ended. */
  @Override
  public Optional<String> liveLogs(Task task) {
    if (task.logStreamName() == null) {
      return Optional.empty();
    }
    return logs.read(task.settings().batchJobLogGroupName(), task.logStreamName());
  }

  /**
   * The CloudWatch stream of child {@code index} of the sweep's array job (Batch names it {@code
   * <job id>:<index>}), once Batch has started it.
   */
  @Override
  public Optional<String> sweepLogs(Task task, int index) {
    return childStream(task, index)
        .flatMap(stream -> logs.read(task.settings().batchJobLogGroupName(), stream));
  }

  /** The last lines of the job's (or the sweep child's) CloudWatch stream, read from its end. */
  @Override
  public Optional<String> liveLogTail(Task task, Integer index, int lines) {
    Optional<String> stream =
        index == null ? Optional.ofNullable(task.logStreamName()) : childStream(task, index);
    return stream.flatMap(s -> logs.tail(task.settings().batchJobLogGroupName(), s, lines));
  }

  /** The job's CloudWatch stream after {@code from}: only the pages that are new. */
  @Override
  public Optional<LogChunk> liveLogsAfter(Task task, LogPosition from) {
    if (task.logStreamName() == null) {
      return Optional.empty();
    }
    return logs.readAfter(task.settings().batchJobLogGroupName(), task.logStreamName(), from);
  }

  /** The stream of child {@code index} of the sweep's array job after {@code from}. */
  @Override
  public Optional<LogChunk> sweepLogsAfter(Task task, int index, LogPosition from) {
    return childStream(task, index)
        .flatMap(stream -> logs.readAfter(task.settings().batchJobLogGroupName(), stream, from));
  }

  /** The CloudWatch stream of child {@code index}, once Batch has named it. */
  private Optional<String> childStream(Task task, int index) {
    if (task.batchJobId() == null) {
      return Optional.empty();
    }
    String child = task.batchJobId() + ":" + index;
    return batch.describeJobs(b -> b.jobs(child)).jobs().stream()
        .filter(j -> j.container() != null && j.container().logStreamName() != null)
        .findFirst()
        .map(j -> j.container().logStreamName());
  }
}
