package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.backend.PipelineStep;
import io.batchexecutor.backend.StepContext;
import io.batchexecutor.backend.StepResult;
import io.batchexecutor.backend.TaskInputs;
import io.batchexecutor.task.Sweep;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import io.batchexecutor.workflow.SubmitWorkflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.batch.model.ArrayProperties;
import software.amazon.awssdk.services.batch.model.JobDependency;
import software.amazon.awssdk.services.batch.model.JobSummary;
import software.amazon.awssdk.services.batch.model.KeyValuePair;
import software.amazon.awssdk.services.batch.model.KeyValuesPair;
import tools.jackson.databind.json.JsonMapper;

/**
 * REGISTERING (definition known) → SUBMITTED: submits the job under a name derived from the task
 * id, by the exact job definition ARN. Unless the task reached this step during the present claim
 * (then no SubmitJob can have been sent for it), it first looks the name up (ListJobs with the
 * JOB_NAME filter), so a re-run after a crash between SubmitJob and the write of its id finds the
 * job instead of submitting a second one. SubmitJob itself goes out through a client that never
 * retries on its own: a retry after a lost answer could start a second job, so a failed submit
 * comes back to the pipeline, which tries the step again, name lookup first. Then the task is
 * handed to the batched poller.
 *
 * <p>A workflow task is submitted with {@code dependsOn} naming the jobs of its dependencies that
 * have not succeeded yet, so that Batch holds it until they have; it waits (released, its reason
 * saying so) until each of them has a job id. Its runner reads their results from S3 ({@code
 * BATCH_EXECUTOR_INPUTS}).
 */
class SubmitBatchJob implements PipelineStep {

  private final BatchClient batch;
  private final BatchClient submitter;
  private final Throttling throttling;
  private final TaskInputs inputs;
  private final JsonMapper json;

  /**
   * @param batch for the name lookup
   * @param submitter for SubmitJob: a client without SDK retries
   */
  SubmitBatchJob(
      BatchClient batch,
      BatchClient submitter,
      Throttling throttling,
      TaskInputs inputs,
      JsonMapper json) {
    this.batch = batch;
    this.submitter = submitter;
    this.throttling = throttling;
    this.inputs = inputs;
    this.json = json;
  }

  /** With one client for both (a test's fake, which never loses an answer), for lone tasks. */
  SubmitBatchJob(BatchClient batch, Throttling throttling) {
    this(batch, batch, throttling, null, JsonMapper.builder().build());
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
    Duration poll = Duration.ofSeconds(task.settings().pollFreq());
    List<KeyValuePair> environment = new ArrayList<>(JobDefinitions.taskEnvironment(task));
    List<JobDependency> dependsOn = new ArrayList<>();
    if (!task.dependsOn().isEmpty()) {
      Map<String, Task> dependencies = inputs.dependencies(task);
      Optional<String> unnamed = withoutJob(dependencies);
      if (unnamed.isPresent()) {
        // not submitted yet (or ended badly, which cancels this task): ask again later
        task.observe(
            task.status(),
            "waiting for '" + unnamed.get() + "' to be submitted, to name its job in dependsOn",
            context.now());
        return StepResult.releaseFor(poll);
      }
      dependsOn.addAll(unfinishedJobs(dependencies));
      environment.add(
          KeyValuePair.builder()
              .name("BATCH_EXECUTOR_INPUTS")
              .value(json.writeValueAsString(TaskInputs.s3Locations(dependencies)))
              .build());
    }
    // only a run that may follow a lost SubmitJob answer looks for the job that call made
    Optional<String> known =
        context.firstRun()
            ? Optional.empty()
            : throttling.call(() -> newest(jobsNamed(batch, queue, name)));
    String jobId =
        known.isPresent() ? known.get() : submit(task, name, queue, dependsOn, environment);
    task.submittedToBatch(jobId, context.now());
    if (known.isPresent()) {
      task.record(
          "RECOVERED",
          "found job " + jobId + " submitted before a restart",
          java.util.Map.of("job_id", jobId),
          context.now());
    }
    return StepResult.releaseFor(poll);
  }

  /**
   * The key of the first dependency that has not succeeded and has no job to name in {@code
   * dependsOn}: not submitted yet, or ended badly.
   */
  private static Optional<String> withoutJob(Map<String, Task> dependencies) {
    return dependencies.entrySet().stream()
        .filter(d -> d.getValue().status() != TaskStatus.SUCCEEDED)
        .filter(d -> d.getValue().status().isFinal() || d.getValue().batchJobId() == null)
        .map(Map.Entry::getKey)
        .findFirst();
  }

  /**
   * The jobs of the dependencies that have not succeeded yet, for Batch to hold the task until they
   * have; those that have are left out, their results being in S3 already.
   */
  private static List<JobDependency> unfinishedJobs(Map<String, Task> dependencies) {
    List<JobDependency> jobs =
        dependencies.values().stream()
            .filter(upstream -> upstream.status() != TaskStatus.SUCCEEDED)
            .map(upstream -> JobDependency.builder().jobId(upstream.batchJobId()).build())
            .toList();
    if (jobs.size() > SubmitWorkflow.MAX_BATCH_DEPENDENCIES) {
      throw new IllegalStateException(
          jobs.size() + " unfinished dependencies: more than AWS Batch takes in dependsOn");
    }
    return jobs;
  }

  /** SubmitJob, by the exact job definition ARN; the new job's id. */
  private String submit(
      Task task,
      String name,
      String queue,
      List<JobDependency> dependsOn,
      List<KeyValuePair> environment)
      throws InterruptedException {
    return throttling.call(
        () ->
            submitter
                .submitJob(
                    b ->
                        b.jobName(name)
                            .jobQueue(queue)
                            .jobDefinition(task.jobDefinitionArn())
                            .dependsOn(dependsOn)
                            .arrayProperties(arrayOf(task))
                            .containerOverrides(o -> o.environment(environment)))
                .jobId());
  }

  /**
   * A sweep of two or more combinations is one array job, each child computing the combination at
   * its {@code AWS_BATCH_JOB_ARRAY_INDEX}; anything else is a single job.
   */
  static ArrayProperties arrayOf(Task task) {
    if (!task.spec().hasSweep()) {
      return null;
    }
    long size = Sweep.size(task.spec().sweep());
    return size < 2 ? null : ArrayProperties.builder().size((int) size).build();
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
