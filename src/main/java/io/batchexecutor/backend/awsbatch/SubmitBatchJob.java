package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.pipeline.PipelineStep;
import io.batchexecutor.pipeline.StepContext;
import io.batchexecutor.pipeline.StepResult;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.batch.model.JobSummary;
import software.amazon.awssdk.services.batch.model.KeyValuesPair;

/**
 * REGISTERING (definition known) → SUBMITTED: submits the job under a name derived from the task
 * id, by the exact job definition ARN. Before submitting it looks the name up (ListJobs with the
 * JOB_NAME filter), so a re-run after a crash between SubmitJob and the write of its id finds the
 * job instead of submitting a second one. SubmitJob itself goes out through a client that never
 * retries on its own: a retry after a lost answer could start a second job, so a failed submit
 * comes back to the pipeline, which tries the step again, name lookup first. Then the task is
 * handed to the batched poller.
 */
class SubmitBatchJob implements PipelineStep {

  private final BatchClient batch;
  private final BatchClient submitter;
  private final Throttling throttling;

  /**
   * @param batch for the name lookup
   * @param submitter for SubmitJob: a client without SDK retries
   */
  SubmitBatchJob(BatchClient batch, BatchClient submitter, Throttling throttling) {
    this.batch = batch;
    this.submitter = submitter;
    this.throttling = throttling;
  }

  /** With one client for both (a test's fake, which never loses an answer). */
  SubmitBatchJob(BatchClient batch, Throttling throttling) {
    this(batch, batch, throttling);
  }

  static String jobName(Task task) {
    return "batch-executor-" + task.id();
  }

  @Override
  public boolean handles(Task task) {
    return task.status() == TaskStatus.REGISTERING && task.jobDefinitionArn() != null;
  }

  @Override
  public StepResult run(Task task, StepContext context) throws InterruptedException {
    String name = jobName(task);
    String queue = task.settings().batchQueue();
    Optional<String> known = throttling.call(() -> newest(jobsNamed(batch, queue, name)));
    String jobId =
        known.isPresent()
            ? known.get()
            : throttling.call(
                () ->
                    submitter
                        .submitJob(
                            b ->
                                b.jobName(name)
                                    .jobQueue(queue)
                                    .jobDefinition(task.jobDefinitionArn())
                                    .containerOverrides(
                                        o -> o.environment(JobDefinitions.taskEnvironment(task))))
                        .jobId());
    task.submittedToBatch(jobId, context.now());
    if (known.isPresent()) {
      task.record(
          "RECOVERED",
          "found job " + jobId + " submitted before a restart",
          java.util.Map.of("job_id", jobId),
          context.now());
    }
    return StepResult.releaseFor(Duration.ofSeconds(task.settings().pollFreq()));
  }

  /** The jobs in {@code queue} named {@code name}, in any status (ListJobs with JOB_NAME). */
  static List<JobSummary> jobsNamed(BatchClient batch, String queue, String name) {
    return batch
        .listJobsPaginator(
            b ->
                b.jobQueue(queue)
                    .filters(KeyValuesPair.builder().name("JOB_NAME").values(name).build()))
        .jobSummaryList()
        .stream()
        .filter(j -> name.equals(j.jobName()))
        .toList();
  }

  private static Optional<String> newest(List<JobSummary> jobs) {
    return jobs.stream()
        .max(Comparator.comparing(j -> j.createdAt() == null ? 0L : j.createdAt()))
        .map(JobSummary::jobId);
  }
}
