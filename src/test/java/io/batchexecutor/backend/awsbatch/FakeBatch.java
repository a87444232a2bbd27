package io.batchexecutor.backend.awsbatch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.batch.model.BatchException;
import software.amazon.awssdk.services.batch.model.DescribeJobDefinitionsRequest;
import software.amazon.awssdk.services.batch.model.DescribeJobDefinitionsResponse;
import software.amazon.awssdk.services.batch.model.DescribeJobsRequest;
import software.amazon.awssdk.services.batch.model.DescribeJobsResponse;
import software.amazon.awssdk.services.batch.model.JobDefinition;
import software.amazon.awssdk.services.batch.model.JobDetail;
import software.amazon.awssdk.services.batch.model.JobStatus;
import software.amazon.awssdk.services.batch.model.JobSummary;
import software.amazon.awssdk.services.batch.model.ListJobsRequest;
import software.amazon.awssdk.services.batch.model.ListJobsResponse;
import software.amazon.awssdk.services.batch.model.RegisterJobDefinitionRequest;
import software.amazon.awssdk.services.batch.model.RegisterJobDefinitionResponse;
import software.amazon.awssdk.services.batch.model.SubmitJobRequest;
import software.amazon.awssdk.services.batch.model.SubmitJobResponse;
import software.amazon.awssdk.services.batch.model.TerminateJobRequest;
import software.amazon.awssdk.services.batch.model.TerminateJobResponse;

/** An in-memory AWS Batch: job definitions with revisions, jobs, and every request it received. */
class FakeBatch implements BatchClient {

  /** When set, every DescribeJobs call throws it (an endpoint that does not answer). */
  volatile RuntimeException describeFailure;

  final List<RegisterJobDefinitionRequest> registered = new ArrayList<>();
  final List<SubmitJobRequest> submitted = new ArrayList<>();
  final List<DescribeJobsRequest> describes = new ArrayList<>();
  final List<TerminateJobRequest> terminated = new ArrayList<>();
  final Map<String, JobDetail> jobs = new LinkedHashMap<>();
  final AtomicInteger throttleNextSubmits = new AtomicInteger();
  final AtomicInteger throttleNextDefinitionDescribes = new AtomicInteger();
  final AtomicInteger definitionsDescribed = new AtomicInteger();

  /** When set, the next SubmitJob is refused with it. */
  volatile RuntimeException submitRefusal;

  private final List<JobDefinition> definitions = new ArrayList<>();
  private int nextJob = 1;

  @Override
  public RegisterJobDefinitionResponse registerJobDefinition(RegisterJobDefinitionRequest request) {
    registered.add(request);
    int revision =
        (int)
                definitions.stream()
                    .filter(d -> d.jobDefinitionName().equals(request.jobDefinitionName()))
                    .count()
            + 1;
    String arn =
        "arn:aws:batch:us-east-1:123456789012:job-definition/"
            + request.jobDefinitionName()
            + ":"
            + revision;
    definitions.add(
        JobDefinition.builder()
            .jobDefinitionName(request.jobDefinitionName())
            .jobDefinitionArn(arn)
            .revision(revision)
            .status("ACTIVE")
            .tags(request.tags())
            .containerProperties(request.containerProperties())
            .build());
    return RegisterJobDefinitionResponse.builder()
        .jobDefinitionName(request.jobDefinitionName())
        .jobDefinitionArn(arn)
        .revision(revision)
        .build();
  }

  @Override
  public DescribeJobDefinitionsResponse describeJobDefinitions(
      DescribeJobDefinitionsRequest request) {
    definitionsDescribed.incrementAndGet();
    if (throttleNextDefinitionDescribes.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw (BatchException)
          BatchException.builder()
              .statusCode(429)
              .awsErrorDetails(
                  AwsErrorDetails.builder()
                      .errorCode("TooManyRequestsException")
                      .errorMessage("Too Many Requests")
                      .build())
              .build();
    }
    return DescribeJobDefinitionsResponse.builder()
        .jobDefinitions(
            definitions.stream()
                .filter(
                    d ->
                        request.jobDefinitionName() == null
                            || d.jobDefinitionName().equals(request.jobDefinitionName()))
                .filter(d -> request.status() == null || request.status().equals(d.status()))
                .filter(
                    d ->
                        !request.hasJobDefinitions()
                            || request.jobDefinitions().contains(d.jobDefinitionArn()))
                .toList())
        .build();
  }

  final List<String> deregistered = new ArrayList<>();

  @Override
  public software.amazon.awssdk.services.batch.model.DeregisterJobDefinitionResponse
      deregisterJobDefinition(
          software.amazon.awssdk.services.batch.model.DeregisterJobDefinitionRequest request) {
    deregistered.add(request.jobDefinition());
    definitions.replaceAll(
        d ->
            d.jobDefinitionArn().equals(request.jobDefinition())
                ? d.toBuilder().status("INACTIVE").build()
                : d);
    return software.amazon.awssdk.services.batch.model.DeregisterJobDefinitionResponse.builder()
        .build();
  }

  @Override
  public SubmitJobResponse submitJob(SubmitJobRequest request) {
    if (throttleNextSubmits.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw (BatchException)
          BatchException.builder()
              .statusCode(429)
              .awsErrorDetails(
                  AwsErrorDetails.builder()
                      .errorCode("TooManyRequestsException")
                      .errorMessage("Too Many Requests")
                      .build())
              .build();
    }
    if (definitions.stream()
        .anyMatch(
            d ->
                d.jobDefinitionArn().equals(request.jobDefinition())
                    && "INACTIVE".equals(d.status()))) {
      // as AWS Batch refuses a job of a deregistered revision, in its words
      throw software.amazon.awssdk.services.batch.model.ClientException.builder()
          .statusCode(400)
          .awsErrorDetails(
              AwsErrorDetails.builder()
                  .errorCode("ClientException")
                  .errorMessage(
                      "JobDefinition " + request.jobDefinition() + " is not in ACTIVE status")
                  .build())
          .build();
    }
    RuntimeException refusal = submitRefusal;
    if (refusal != null) {
      submitRefusal = null;
      throw refusal;
    }
    submitted.add(request);
    String id = "job-" + nextJob++;
    jobs.put(
        id,
        JobDetail.builder()
            .jobId(id)
            .jobName(request.jobName())
            .jobQueue(request.jobQueue())
            .jobDefinition(request.jobDefinition())
            .status(JobStatus.SUBMITTED)
            .createdAt(System.currentTimeMillis())
            .build());
    return SubmitJobResponse.builder().jobId(id).jobName(request.jobName()).build();
  }

  /** A job that exists in Batch without this fake having been asked to submit it. */
  void existingJob(String id, String name, String queue) {
    jobs.put(
        id,
        JobDetail.builder()
            .jobId(id)
            .jobName(name)
            .jobQueue(queue)
            .status(JobStatus.RUNNABLE)
            .createdAt(1L)
            .build());
  }

  void setJob(JobDetail job) {
    jobs.put(job.jobId(), job);
  }

  /** How often ListJobs was called. */
  final java.util.concurrent.atomic.AtomicInteger listed =
      new java.util.concurrent.atomic.AtomicInteger();

  @Override
  public ListJobsResponse listJobs(ListJobsRequest request) {
    listed.incrementAndGet();
    String name =
        request.filters().stream()
            .filter(f -> f.name().equals("JOB_NAME"))
            .findFirst()
            .map(f -> f.values().get(0))
            .orElse(null);
    return ListJobsResponse.builder()
        .jobSummaryList(
            jobs.values().stream()
                .filter(j -> j.jobQueue() == null || j.jobQueue().equals(request.jobQueue()))
                .filter(j -> name == null || j.jobName().equals(name))
                .map(
                    j ->
                        JobSummary.builder()
                            .jobId(j.jobId())
                            .jobName(j.jobName())
                            .createdAt(j.createdAt())
                            .build())
                .toList())
        .build();
  }

  @Override
  public DescribeJobsResponse describeJobs(DescribeJobsRequest request) {
    if (describeFailure != null) {
      throw describeFailure;
    }
    if (request.jobs().size() > 100) {
      throw BatchException.builder().statusCode(400).message("at most 100 jobs per call").build();
    }
    describes.add(request);
    return DescribeJobsResponse.builder()
        .jobs(request.jobs().stream().filter(jobs::containsKey).map(jobs::get).toList())
        .build();
  }

  @Override
  public TerminateJobResponse terminateJob(TerminateJobRequest request) {
    terminated.add(request);
    return TerminateJobResponse.builder().build();
  }

  final java.util.Set<String> queues = new java.util.HashSet<>();

  /** Queues (among {@link #queues}) with a fair-share scheduling policy. */
  final java.util.Set<String> fairShareQueues = new java.util.HashSet<>();

  final AtomicInteger queuesDescribed = new AtomicInteger();

  /** When set, every DescribeJobQueues call throws it. */
  volatile RuntimeException queueFailure;

  @Override
  public software.amazon.awssdk.services.batch.model.DescribeJobQueuesResponse describeJobQueues(
      software.amazon.awssdk.services.batch.model.DescribeJobQueuesRequest request) {
    queuesDescribed.incrementAndGet();
    if (queueFailure != null) {
      throw queueFailure;
    }
    return software.amazon.awssdk.services.batch.model.DescribeJobQueuesResponse.builder()
        .jobQueues(
            request.jobQueues().stream()
                .filter(queues::contains)
                .map(
                    q ->
                        software.amazon.awssdk.services.batch.model.JobQueueDetail.builder()
                            .jobQueueName(q)
                            .state("ENABLED")
                            .status("VALID")
                            .schedulingPolicyArn(
                                fairShareQueues.contains(q)
                                    ? "arn:aws:batch:us-east-1:123456789012:scheduling-policy/fair"
                                    : null)
                            .computeEnvironmentOrder(
                                environmentsOf(q).stream()
                                    .map(
                                        ce ->
                                            software.amazon.awssdk.services.batch.model
                                                .ComputeEnvironmentOrder.builder()
                                                .order(1)
                                                .computeEnvironment(ce)
                                                .build())
                                    .toList())
                            .build())
                .toList())
        .build();
  }

  /**
   * The compute environment types of each queue (EC2, SPOT, FARGATE, FARGATE_SPOT); a queue not
   * named here has one EC2 environment.
   */
  final Map<String, List<String>> queueEnvironments =
      new java.util.concurrent.ConcurrentHashMap<>();

  final AtomicInteger environmentsDescribed = new AtomicInteger();

  private List<String> environmentsOf(String queue) {
    List<String> types = queueEnvironments.getOrDefault(queue, List.of("EC2"));
    List<String> names = new ArrayList<>();
    for (int i = 0; i < types.size(); i++) {
      names.add("ce-" + queue + "-" + i);
    }
    return names;
  }

  @Override
  public software.amazon.awssdk.services.batch.model.DescribeComputeEnvironmentsResponse
      describeComputeEnvironments(
          software.amazon.awssdk.services.batch.model.DescribeComputeEnvironmentsRequest request) {
    environmentsDescribed.incrementAndGet();
    List<software.amazon.awssdk.services.batch.model.ComputeEnvironmentDetail> found =
        new ArrayList<>();
    for (String ce : request.computeEnvironments()) {
      String queue = ce.substring(3, ce.lastIndexOf('-'));
      int index = Integer.parseInt(ce.substring(ce.lastIndexOf('-') + 1));
      String type = queueEnvironments.getOrDefault(queue, List.of("EC2")).get(index);
      found.add(
          software.amazon.awssdk.services.batch.model.ComputeEnvironmentDetail.builder()
              .computeEnvironmentName(ce)
              .type("MANAGED")
              .computeResources(r -> r.type(type))
              .build());
    }
    return software.amazon.awssdk.services.batch.model.DescribeComputeEnvironmentsResponse.builder()
        .computeEnvironments(found)
        .build();
  }

  @Override
  public String serviceName() {
    return "batch";
  }

  @Override
  public void close() {}
}
