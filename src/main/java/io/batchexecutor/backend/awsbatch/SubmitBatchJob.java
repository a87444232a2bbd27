package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.backend.PipelineStep;
import io.batchexecutor.backend.ResultDigests;
import io.batchexecutor.backend.StepContext;
import io.batchexecutor.backend.StepResult;
import io.batchexecutor.backend.TaskInputs;
import io.batchexecutor.runner.RunnerContract;
import io.batchexecutor.task.Sweep;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.batch.model.ArrayProperties;
import software.amazon.awssdk.services.batch.model.ClientException;
import software.amazon.awssdk.services.batch.model.JobSummary;
import software.amazon.awssdk.services.batch.model.KeyValuePair;
import software.amazon.awssdk.services.batch.model.KeyValuesPair;
import software.amazon.awssdk.services.batch.model.ResourceRequirement;
import tools.jackson.databind.json.JsonMapper;

/**
 * REGISTERING (definition known) → SUBMITTED: submits the job under a name derived from the task
 * id, by the exact job definition ARN. Unless the task reached this step during the present claim
 * (then no SubmitJob can have been sent for it), it first looks the name up (ListJobs with the
 * JOB_NAME filter), so a re-run after a crash between SubmitJob and the write of its id finds the
 * job instead of submitting a second one. SubmitJob itself goes out through a client that never
 * retries on its own: a retry after a lost answer could start a second job, so a failed submit
 * comes back to the pipeline, which tries the step again, name lookup first. Then the task is
 * handed to the batched poller. A job sent to a queue with a fair-share scheduling policy carries
 * its client as its share identifier ({@link FairShareQueues}); to a FIFO queue a job is submitted
 * only while its client has fewer unfinished jobs in the task's execution profile than {@link
 * SubmitCap} allows, else the task waits.
 *
 * <p>A workflow task is submitted once all its dependencies SUCCEEDED (until then it waits,
 * released, its reason saying so), with the digests of their results as the service collected them
 * ({@code BATCH_EXECUTOR_INPUT_SHA256}): its runner reads the results from S3 ({@code
 * BATCH_EXECUTOR_INPUTS}) and refuses one that no longer matches. Batch's {@code dependsOn} is not
 * used: a job it holds would start before the service has collected (and digested) the results it
 * takes.
 */
class SubmitBatchJob implements PipelineStep {

  /** How long a task over its client's cap waits at least before it looks again. */
  static final Duration CAPPED_WAIT = Duration.ofSeconds(30);

  private final BatchClient batch;
  private final BatchClient submitter;
  private final Throttling throttling;
  private final FairShareQueues fairShare;
  private final SubmitCap cap;
  private final TaskInputs inputs;
  private final JsonMapper json;
  private final JobTags tags;
  private final QueuePlatforms platforms;
  private final DeregisteredRevisions deregistered;
  private long maxKeptFileBytes = io.batchexecutor.config.ResultSizeLimit.DEFAULT.toBytes();

  /**
   * @param batch for the name lookup
   * @param submitter for SubmitJob: a client without SDK retries
   * @param cap how many jobs a client may have submitted to a FIFO queue at once
   * @param tags the tags of each task's job
   * @param platforms the platform of each queue (null: every queue is EC2)
   */
  SubmitBatchJob(
      BatchClient batch,
      BatchClient submitter,
      Throttling throttling,
      SubmitCap cap,
      TaskInputs inputs,
      JsonMapper json,
      JobTags tags,
      QueuePlatforms platforms) {
    this(
        batch,
        submitter,
        throttling,
        cap,
        inputs,
        json,
        tags,
        platforms,
        DeregisteredRevisions.NOTHING_REMEMBERED);
  }

  /**
   * @param forget makes the register step forget a revision found deregistered at SubmitJob
   */
  SubmitBatchJob(
      BatchClient batch,
      BatchClient submitter,
      Throttling throttling,
      SubmitCap cap,
      TaskInputs inputs,
      JsonMapper json,
      JobTags tags,
      QueuePlatforms platforms,
      java.util.function.Consumer<String> forget) {
    this.deregistered = new DeregisteredRevisions(batch, throttling, forget);
    this.tags = tags;
    this.platforms = platforms;
    this.batch = batch;
    this.submitter = submitter;
    this.throttling = throttling;
    this.fairShare = new FairShareQueues(batch, throttling);
    this.cap = cap;
    this.inputs = inputs;
    this.json = json;
  }

  /** The same with no tags but ours. */
  SubmitBatchJob(
      BatchClient batch,
      BatchClient submitter,
      Throttling throttling,
      SubmitCap cap,
      TaskInputs inputs,
      JsonMapper json) {
    this(batch, submitter, throttling, cap, inputs, json, JobTags.none(), null);
  }

  /** With one client for both (a test's fake, which never loses an answer), for lone tasks. */
  SubmitBatchJob(BatchClient batch, Throttling throttling, SubmitCap cap) {
    this(batch, batch, throttling, cap, null, JsonMapper.builder().build());
  }

  /** The same without a cap. */
  SubmitBatchJob(BatchClient batch, Throttling throttling) {
    this(batch, throttling, SubmitCap.NONE);
  }

  /** Bounds the files tasks keep for their clients ({@code max-result-size}); returns this. */
  SubmitBatchJob keepingFilesUpTo(long bytes) {
    this.maxKeptFileBytes = bytes;
    return this;
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
    var environment = new ArrayList<>(JobDefinitions.taskEnvironment(task, json, maxKeptFileBytes));
    if (!task.dependsOn().isEmpty()) {
      Map<String, Task> dependencies = inputs.dependencies(task);
      Optional<String> unfinished = notSucceeded(dependencies);
      if (unfinished.isPresent()) {
        // its runner is given the digests of their results, known once they are collected
        task.observe(
            task.status(),
            "waiting for '"
                + unfinished.get()
                + "' to succeed: it is submitted with its result's"
                + " digest",
            context.now());
        return StepResult.releaseFor(poll);
      }
      environment.add(
          KeyValuePair.builder()
              .name(RunnerContract.INPUTS)
              .value(
                  json.writeValueAsString(
                      TaskInputs.s3Locations(TaskInputs.taken(task, dependencies))))
              .build());
      environment.add(
          KeyValuePair.builder()
              .name(ResultDigests.INPUT_SHA256_ENV)
              .value(
                  json.writeValueAsString(TaskInputs.digests(TaskInputs.taken(task, dependencies))))
              .build());
    }
    // the size a Fargate queue takes differs from an EC2 one's: wait until the platform is read
    Optional<StepResult> unknown =
        platforms == null ? Optional.empty() : platforms.unknownFor(task, context.now());
    if (unknown.isPresent()) {
      return unknown.get();
    }
    boolean fair = fairShare.fairShare(queue);
    if (!fair && cap.reached(task)) {
      // a FIFO queue would run all of this client's jobs before another client's: wait for some,
      // before any call to Batch, so that a backlog waiting behind its cap costs Batch nothing (a
      // job a lost SubmitJob answer made is found when the task goes on)
      task.observe(task.status(), cap.reason(task), context.now());
      return StepResult.releaseFor(poll.compareTo(CAPPED_WAIT) > 0 ? poll : CAPPED_WAIT);
    }
    // only a run that may follow a lost SubmitJob answer looks for the job that call made
    Optional<String> known =
        context.firstRun()
            ? Optional.empty()
            : throttling.call(() -> newest(jobsNamed(batch, queue, name)));
    String share = fair ? FairShareQueues.shareIdentifier(task.owner()) : null;
    JobResources resources = JobResources.of(task, platforms, queue);
    String jobId;
    try {
      jobId =
          known.isPresent()
              ? known.get()
              : submit(task, name, queue, share, environment, resources.overrides());
    } catch (ClientException refused) {
      if (deregistered.sendBackIfGone(task, refused, context.now())) {
        return StepResult.proceed();
      }
      throw refused;
    }
    resources.said(task, context.now()); // once: only the job submitted says it
    task.submittedAsJob(jobId, "AWS Batch", context.now());
    if (known.isPresent()) {
      task.recovered(jobId, context.now());
    }
    return StepResult.releaseFor(poll);
  }

  /** The key of the first dependency that has not succeeded (yet, or at all). */
  private static Optional<String> notSucceeded(Map<String, Task> dependencies) {
    return dependencies.entrySet().stream()
        .filter(d -> d.getValue() == null || d.getValue().status() != TaskStatus.SUCCEEDED)
        .map(Map.Entry::getKey)
        .findFirst();
  }

  /**
   * SubmitJob, by the exact job definition ARN, with the task's resources as container overrides
   * and its tags (propagated to the ECS task); the new job's id. To a fair-share queue the job goes
   * with its client as its share identifier, so that Batch, too, serves clients in turn.
   */
  private String submit(
      Task task,
      String name,
      String queue,
      String share,
      List<KeyValuePair> environment,
      List<ResourceRequirement> resources)
      throws InterruptedException {
    return throttling.call(
        () ->
            submitter
                .submitJob(
                    b ->
                        b.jobName(name)
                            .jobQueue(queue)
                            .jobDefinition(task.jobDefinitionArn())
                            .arrayProperties(arrayOf(task))
                            .shareIdentifier(share)
                            .tags(tags.of(task))
                            .propagateTags(true)
                            .containerOverrides(
                                o -> o.environment(environment).resourceRequirements(resources)))
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
    long size = Sweep.runCount(task.spec().sweep());
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
