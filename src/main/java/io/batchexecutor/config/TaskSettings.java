package io.batchexecutor.config;

import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;

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
 * @param environment plain environment variables of the task's container, name to value (not
 *     secrets: shown back); checked by {@link TaskEnvironment}
 * @param secrets names of the secrets of the task's execution profile that its container gets as
 *     environment variables (names only: the values never pass through the service)
 */
public record TaskSettings(
    @Pattern(regexp = ClientNames.GRAMMAR, message = ClientNames.PROFILE_MESSAGE)
        String executionProfile,
    @Pattern(regexp = AwsNames.BUCKET, message = AwsNames.BUCKET_MESSAGE) String s3BucketName,
    @Pattern(regexp = AwsNames.ECR_REPOSITORY, message = AwsNames.ECR_REPOSITORY_MESSAGE)
        @Size(min = 2, max = 256)
        String ecrRepoName,
    @Pattern(regexp = AwsNames.BATCH_NAME, message = AwsNames.BATCH_NAME_MESSAGE)
        String batchJobDefinitionName,
    @Pattern(regexp = AwsNames.BATCH_NAME, message = AwsNames.BATCH_NAME_MESSAGE) String batchQueue,
    @Pattern(regexp = AwsNames.ROLE, message = AwsNames.ROLE_MESSAGE) String batchExecutionRoleName,
    @Pattern(regexp = AwsNames.ROLE, message = AwsNames.ROLE_MESSAGE) String batchJobRoleName,
    @Pattern(regexp = AwsNames.LOG_GROUP, message = AwsNames.LOG_GROUP_MESSAGE)
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
        String backend,
    Map<String, String> environment,
    List<String> secrets) {

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
        first(backend, fallback.backend),
        first(environment, fallback.environment),
        first(secrets, fallback.secrets));
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
        name,
        environment,
        secrets);
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
        backend,
        environment,
        secrets);
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
        backend,
        environment,
        secrets);
  }

  /**
   * Only what a client chooses: the execution profile, the backend, the resources, the environment
   * and the secrets' names; the names of the operator's AWS resources and identities left out.
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
        backend,
        environment,
        secrets);
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
        backend,
        null,
        null);
  }

  /**
   * Settings of the execution profile {@code executionProfile} that give only the operator's names
   * of AWS resources and identities (each may be null).
   */
  public static TaskSettings names(
      String executionProfile,
      String s3BucketName,
      String ecrRepoName,
      String batchJobDefinitionName,
      String batchQueue,
      String batchExecutionRoleName,
      String batchJobRoleName,
      String batchJobLogGroupName) {
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
        null,
        null,
        null);
  }

  /** Settings with nothing given. */
  public static TaskSettings none() {
    return new TaskSettings(
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null);
  }

  /** Memory in MiB as AWS Batch and Docker want it: GB x 1024, rounded up. */
  public long memoryMib() {
    return (long) Math.ceil(memory * 1024);
  }

  static <T> T first(T value, T fallback) {
    return value != null ? value : fallback;
  }
}
