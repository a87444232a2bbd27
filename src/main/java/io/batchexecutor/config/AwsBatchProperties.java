package io.batchexecutor.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.PositiveOrZero;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code batch-executor.awsbatch.*}: the keys of the original {@code [executors.awsbatch]} section
 * plus how to reach AWS and when a queued job earns a warning. Every executor key is optional here;
 * a key left out falls back to the Covalent configuration file (when {@code
 * batch-executor.covalent-config} names one), then to the original plugin's default (see {@link
 * ExecutorDefaults}). The merged values are validated at start-up by {@link
 * ExecutorSettingsResolver} with the same rules as a request's.
 *
 * <p>The {@code @param} texts are plain text: the configuration processor copies them as they are
 * into the settings' descriptions.
 *
 * @param credentials Path of a shared-credentials file. Unset: the Covalent configuration file's
 *     value, else AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials.
 * @param profile Profile in the credentials file. Unset: the Covalent configuration file's value,
 *     else AWS_PROFILE, else default.
 * @param region AWS region. Unset: the Covalent configuration file's value, else the SDK's region
 *     chain.
 * @param endpoint AWS-compatible endpoint for every service. Unset: AWS_ENDPOINT_URL, else AWS
 *     itself.
 * @param s3PathStyle Whether S3 buckets are addressed by path, as most S3-compatible servers want.
 * @param cacheDir Where the service keeps its working files, the local backend's results and the
 *     embedded database. Unset: the Covalent configuration file's value, else /tmp/covalent.
 * @param s3BucketName S3 bucket that receives task results. Unset: the Covalent configuration
 *     file's value, else covalent-batch-job-resources.
 * @param ecrRepoName ECR repository that receives task images. Unset: the Covalent configuration
 *     file's value, else covalent-batch-job-images.
 * @param batchJobDefinitionName Name under which job definitions are registered. Unset: the
 *     Covalent configuration file's value, else covalent-batch-jobs.
 * @param batchQueue AWS Batch job queue that tasks are submitted to. Unset: the Covalent
 *     configuration file's value, else covalent-batch-queue.
 * @param batchExecutionRoleName IAM role (name or ARN) that ECS uses to pull images and write logs.
 *     Unset: the Covalent configuration file's value, else ecsTaskExecutionRole.
 * @param batchJobRoleName IAM role (name or ARN) that the task runs as. Unset: the Covalent
 *     configuration file's value, else CovalentBatchJobRole.
 * @param batchJobLogGroupName CloudWatch log group of the task's output. Unset: the Covalent
 *     configuration file's value, else covalent-batch-job-logs.
 * @param vcpu Virtual CPUs per task. Unset: the Covalent configuration file's value, else 2.
 * @param memory Memory per task in GB. Unset: the Covalent configuration file's value, else 3.75.
 * @param numGpus GPUs per task. Unset: the Covalent configuration file's value, else 0.
 * @param retryAttempts Attempts for infrastructure failures, 1-10. Unset: the Covalent
 *     configuration file's value, else 3.
 * @param timeLimit Seconds after which a task is stopped. Unset: the Covalent configuration file's
 *     value, else 300.
 * @param pollFreq Seconds between status checks. Unset: the Covalent configuration file's value,
 *     else 10.
 * @param runnableWarning How long a task's job may wait in RUNNABLE before the task's status reason
 *     says that the queue has not placed it. Not an executor key: the Covalent configuration file
 *     has no counterpart.
 * @param maxSubmittedPerClient How many jobs of one client may be submitted and unfinished at once
 *     in one execution profile whose job queue schedules first in, first out; a task over it waits
 *     (released, its reason saying so) instead of being submitted. 0: no cap. A queue with a
 *     fair-share scheduling policy has none: its jobs carry their client as share identifier.
 * @param platformRefresh How long the platform of a job queue (EC2 or Fargate, read from its
 *     compute environments) is taken to hold before it is read again.
 * @param fargateAssignPublicIp Whether a Fargate job gets a public IP address: needed to pull its
 *     image from ECR in a public subnet without a NAT gateway or VPC endpoints.
 * @param fargatePlatformVersion The Fargate platform version of Fargate jobs.
 * @param fargateEphemeralStorage Ephemeral storage of a Fargate job in GiB, 21-200. Unset:
 *     Fargate's default of 20 GiB.
 * @param cleanup The periodic clean-up of what the service leaves in AWS.
 * @param platformGiveUpAfter How long a job queue's platform may stay unreadable (AWS does not
 *     answer, or the queue does not exist) before the tasks waiting for it fail and new ones are
 *     refused, saying why; counted by each instance from when it first failed to read it.
 */
@ConfigurationProperties("batch-executor.awsbatch")
@Validated
public record AwsBatchProperties(
    String credentials,
    String profile,
    String region,
    URI endpoint,
    @DefaultValue("false") Boolean s3PathStyle,
    String cacheDir,
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
    Integer pollFreq,
    @DefaultValue("15m") Duration runnableWarning,
    @DefaultValue("100") @PositiveOrZero int maxSubmittedPerClient,
    @DefaultValue("10m") Duration platformRefresh,
    @DefaultValue("false") boolean fargateAssignPublicIp,
    @DefaultValue("LATEST") String fargatePlatformVersion,
    @Min(21) @Max(200) Integer fargateEphemeralStorage,
    @DefaultValue @Valid Cleanup cleanup,
    @DefaultValue("30m") Duration platformGiveUpAfter) {

  /**
   * The periodic clean-up of what the service leaves in AWS.
   *
   * @param enabled Whether it runs.
   * @param interval Time between runs.
   * @param minAge How long after the last task that used a job definition revision ended it is
   *     deregistered; at least an hour.
   * @param imageMaxAge How long after its push an image in a profile's ECR repository expires, by
   *     the lifecycle policy set on a repository that has none; 0: only untagged images (after a
   *     day).
   */
  public record Cleanup(
      @DefaultValue("false") boolean enabled,
      @DefaultValue("1h") Duration interval,
      @DefaultValue("7d") Duration minAge,
      @DefaultValue("90d") Duration imageMaxAge) {

    public Cleanup {
      if (minAge != null && minAge.compareTo(Duration.ofHours(1)) < 0) {
        throw new IllegalArgumentException(
            "batch-executor.awsbatch.cleanup.min-age must be at least 1h (instances remember"
                + " revisions for 10 min)");
      }
    }
  }

  public AwsBatchProperties {
    platformGiveUpAfter =
        platformGiveUpAfter == null ? Duration.ofMinutes(30) : platformGiveUpAfter;
    cleanup =
        cleanup == null
            ? new Cleanup(false, Duration.ofHours(1), Duration.ofDays(7), Duration.ofDays(90))
            : cleanup;
  }

  /** What this configuration sets of the executor settings; unset keys stay {@code null}. */
  public ExecutorSettings settings() {
    return new ExecutorSettings(
        credentials,
        profile,
        region,
        cacheDir,
        new TaskSettings(
            null,
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
            null,
            null,
            null));
  }
}
