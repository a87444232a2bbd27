package io.batchexecutor.config;

import java.net.URI;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code batch-executor.awsbatch.*}: the keys of the original {@code [executors.awsbatch]} section
 * plus how to reach AWS. Every key is optional here; a key left out falls back to the Covalent
 * configuration file (when {@code batch-executor.covalent-config} names one), then to the original
 * plugin's default (see {@link ExecutorDefaults}). The merged values are validated at start-up by
 * {@link ExecutorSettingsResolver} with the same rules as a request's.
 *
 * @param credentials path of a shared-credentials file (default {@code ~/.aws/credentials} or
 *     {@code AWS_SHARED_CREDENTIALS_FILE})
 * @param profile the profile in that file (default {@code AWS_PROFILE}, else {@code default})
 * @param region the AWS region (default: the SDK's region chain)
 * @param endpoint an AWS-compatible endpoint for every service (default {@code AWS_ENDPOINT_URL})
 * @param s3PathStyle address S3 buckets by path, as most S3-compatible servers want
 * @param cacheDir where the service keeps its working files, the local backend's results and the
 *     embedded database (default {@code /tmp/covalent})
 * @param s3BucketName bucket that receives task results
 * @param ecrRepoName ECR repository that receives task images
 * @param batchJobDefinitionName name under which job definitions are registered
 * @param batchQueue AWS Batch job queue that tasks are submitted to
 * @param batchExecutionRoleName IAM role (name or ARN) that ECS uses to pull images, write logs
 * @param batchJobRoleName IAM role (name or ARN) that the task runs as
 * @param batchJobLogGroupName CloudWatch log group of the task's output
 * @param vcpu virtual CPUs per task
 * @param memory memory per task in GB
 * @param numGpus GPUs per task
 * @param retryAttempts attempts for infrastructure failures, 1-10
 * @param timeLimit seconds after which a task is stopped
 * @param pollFreq seconds between status checks
 */
@ConfigurationProperties("batch-executor.awsbatch")
public record AwsBatchProperties(
    String credentials,
    String profile,
    String region,
    URI endpoint,
    Boolean s3PathStyle,
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
    Integer pollFreq) {

  /** What this configuration sets of the executor settings; unset keys stay {@code null}. */
  public ExecutorSettings settings() {
    return new ExecutorSettings(
        credentials,
        profile,
        region,
        cacheDir,
        new TaskSettings(
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
            pollFreq));
  }
}
