package io.batchexecutor.config;

import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/**
 * The executor settings that a single task may override, keyed as in the original {@code
 * [executors.awsbatch]} section. In a request every field is optional ({@code null} = "not given",
 * {@code 0} is a value); the effective settings stored with a task have every field filled in.
 *
 * <p>The names of AWS resources and identities (bucket, repository, job definition, queue, roles,
 * log group) belong to the operator: they come from the task's {@linkplain ExecutionProfiles
 * execution profile}, and a request may repeat its profile's value but not name another.
 *
 * @param executionProfile the execution profile the task runs with; a request that leaves it out
 *     gets its client's first allowed profile
 * @param s3BucketName bucket that receives task results
 * @param ecrRepoName ECR repository that receives task images
 * @param batchJobDefinitionName name under which job definitions are registered
 * @param batchQueue AWS Batch job queue that tasks are submitted to
 * @param batchExecutionRoleName IAM role (name or ARN) that ECS uses to pull images and write logs
 * @param batchJobRoleName IAM role (name or ARN) that the task itself runs as
 * @param batchJobLogGroupName CloudWatch log group of the task's output
 * @param vcpu virtual CPUs for the task
 * @param memory memory for the task, in GB (Batch receives MiB = GB x 1024)
 * @param numGpus GPUs for the task
 * @param retryAttempts attempts that infrastructure failures may use, 1-10
 * @param timeLimit seconds after which the task is stopped
 * @param pollFreq seconds between status checks of the task
 * @param backend the backend the task runs on (local, awsbatch); a request that names it and no
 *     execution profile gets that backend's default profile
 */
public record TaskSettings(
    @Pattern(regexp = ClientNames.GRAMMAR, message = ClientNames.PROFILE_MESSAGE)
        String executionProfile,
    @Pattern(regexp = Names.BUCKET, message = Names.BUCKET_MESSAGE) String s3BucketName,
    @Pattern(regexp = Names.ECR_REPOSITORY, message = Names.ECR_REPOSITORY_MESSAGE)
        @Size(min = 2, max = 256)
        String ecrRepoName,
    @Pattern(regexp = Names.BATCH_NAME, message = Names.BATCH_NAME_MESSAGE)
        String batchJobDefinitionName,
    @Pattern(regexp = Names.BATCH_NAME, message = Names.BATCH_NAME_MESSAGE) String batchQueue,
    @Pattern(regexp = Names.ROLE, message = Names.ROLE_MESSAGE) String batchExecutionRoleName,
    @Pattern(regexp = Names.ROLE, message = Names.ROLE_MESSAGE) String batchJobRoleName,
    @Pattern(regexp = Names.LOG_GROUP, message = Names.LOG_GROUP_MESSAGE)
        String batchJobLogGroupName,
    @DecimalMin(value = "0", inclusive = false, message = "must be greater than 0") @Max(4096)
        Double vcpu,
    @DecimalMin(value = "0", inclusive = false, message = "must be greater than 0") @Max(100_000)
        Double memory,
    @PositiveOrZero @Max(64) Integer numGpus,
    @Min(1) @Max(10) Integer retryAttempts,
    @Positive @Max(1_209_600) Integer timeLimit,
    @Positive @Max(86_400) Integer pollFreq,
    @Pattern(regexp = "^[a-z]{1,32}$", message = "must be the name of a backend, e.g. local")
        String backend) {

  /** Settings that name no backend. */
  public TaskSettings(
      String executionProfile,
      String s3BucketName,
      String ecrRepoName,
      String batchJobDefinitionName,
      String batchQueue,
      String batchExecutionRoleName,
      String batchJobRoleName,
      String batchJobLogGroupName,
      Double vcpu,
      Double memory,
      Integer numGpus,
      Integer retryAttempts,
      Integer timeLimit,
      Integer pollFreq) {
    this(
        executionProfile,
        s3BucketName,
        ecrRepoName,
        batchJobDefinitionName,
        batchQueue,
        batchExecutionRoleName,
        batchJobRoleName,
        batchJobLogGroupName,
        vcpu,
        memory,
        numGpus,
        retryAttempts,
        timeLimit,
        pollFreq,
        null);
  }

  /** Fills every field this record leaves {@code null} from {@code fallback}. */
  public TaskSettings orElse(TaskSettings fallback) {
    return new TaskSettings(
        first(executionProfile, fallback.executionProfile),
        first(s3BucketName, fallback.s3BucketName),
        first(ecrRepoName, fallback.ecrRepoName),
        first(batchJobDefinitionName, fallback.batchJobDefinitionName),
        first(batchQueue, fallback.batchQueue),
        first(batchExecutionRoleName, fallback.batchExecutionRoleName),
        first(batchJobRoleName, fallback.batchJobRoleName),
        first(batchJobLogGroupName, fallback.batchJobLogGroupName),
        first(vcpu, fallback.vcpu),
        first(memory, fallback.memory),
        first(numGpus, fallback.numGpus),
        first(retryAttempts, fallback.retryAttempts),
        first(timeLimit, fallback.timeLimit),
        first(pollFreq, fallback.pollFreq),
        first(backend, fallback.backend));
  }

  /** The same settings running on backend {@code name}. */
  public TaskSettings withBackend(String name) {
    return new TaskSettings(
        executionProfile,
        s3BucketName,
        ecrRepoName,
        batchJobDefinitionName,
        batchQueue,
        batchExecutionRoleName,
        batchJobRoleName,
        batchJobLogGroupName,
        vcpu,
        memory,
        numGpus,
        retryAttempts,
        timeLimit,
        pollFreq,
        name);
  }

  /** The same settings running with execution profile {@code name}. */
  public TaskSettings withExecutionProfile(String name) {
    return new TaskSettings(
        name,
        s3BucketName,
        ecrRepoName,
        batchJobDefinitionName,
        batchQueue,
        batchExecutionRoleName,
        batchJobRoleName,
        batchJobLogGroupName,
        vcpu,
        memory,
        numGpus,
        retryAttempts,
        timeLimit,
        pollFreq,
        backend);
  }

  /** The same settings with job role {@code role}. */
  public TaskSettings withBatchJobRoleName(String role) {
    return new TaskSettings(
        executionProfile,
        s3BucketName,
        ecrRepoName,
        batchJobDefinitionName,
        batchQueue,
        batchExecutionRoleName,
        role,
        batchJobLogGroupName,
        vcpu,
        memory,
        numGpus,
        retryAttempts,
        timeLimit,
        pollFreq,
        backend);
  }

  /**
   * Only what a client chooses: the execution profile, the backend and the resources; the names of
   * the operator's AWS resources and identities left out.
   */
  public TaskSettings clientsPart() {
    return new TaskSettings(
        executionProfile,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        vcpu,
        memory,
        numGpus,
        retryAttempts,
        timeLimit,
        pollFreq,
        backend);
  }

  /**
   * Only what the operator chooses: the execution profile and the names of the AWS resources and
   * identities; the resources left out.
   */
  public TaskSettings operatorsPart() {
    return new TaskSettings(
        executionProfile,
        s3BucketName,
        ecrRepoName,
        batchJobDefinitionName,
        batchQueue,
        batchExecutionRoleName,
        batchJobRoleName,
        batchJobLogGroupName,
        null,
        null,
        null,
        null,
        null,
        null,
        backend);
  }

  /** Settings with nothing given. */
  public static TaskSettings none() {
    return new TaskSettings(
        null, null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  /** Memory in MiB as AWS Batch and Docker want it: GB x 1024, rounded up. */
  public long memoryMib() {
    return (long) Math.ceil(memory * 1024);
  }

  static <T> T first(T value, T fallback) {
    return value != null ? value : fallback;
  }

  /** Name rules of the AWS services the settings are sent to. */
  public static final class Names {
    public static final String BUCKET = "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$";
    public static final String BUCKET_MESSAGE =
        "must be an S3 bucket name: 3-63 lowercase letters, digits, '.' and '-'";
    public static final String ECR_REPOSITORY =
        "^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$";
    public static final String ECR_REPOSITORY_MESSAGE =
        "must be an ECR repository name: lowercase letters, digits, '.', '_', '-' and '/'";
    public static final String BATCH_NAME = "^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$";
    public static final String BATCH_NAME_MESSAGE =
        "must be 1-128 letters, digits, '-' and '_', starting with a letter or digit";
    public static final String ROLE =
        "^(?:[\\w+=,.@-]{1,64}|arn:[\\w-]+:iam::\\d{12}:role/[\\w+=,.@/-]{1,512})$";
    public static final String ROLE_MESSAGE =
        "must be an IAM role name (1-64 of [A-Za-z0-9+=,.@_-]) or a role ARN";
    public static final String LOG_GROUP = "^[.\\-_/#A-Za-z0-9]{1,512}$";
    public static final String LOG_GROUP_MESSAGE =
        "must be a CloudWatch log group name: 1-512 of [A-Za-z0-9._/#-]";

    private Names() {}
  }
}
