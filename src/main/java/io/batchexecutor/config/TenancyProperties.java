package io.batchexecutor.config;

import io.batchexecutor.config.BatchExecutorProperties.Backend;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code batch-executor.clients.*}, {@code batch-executor.client-defaults.*} and {@code
 * batch-executor.execution-profiles.*}: who may run what where. The operator owns where and as whom
 * tasks run (queues, roles, buckets, repositories, log groups, base images, the largest resources),
 * grouped into named execution profiles; each client may use the profiles its configuration lists.
 * Clients' tokens are not here: they come from batch-executor.security.tokens or the generated
 * token file. Checked at start-up by {@link ExecutionProfiles} and {@link Clients}.
 *
 * <p>The {@code @param} texts are plain text: the configuration processor copies them as they are
 * into the settings' descriptions.
 *
 * @param clients Settings of each client by name (names: 1-32 lowercase letters, digits and '-',
 *     starting with a letter or digit). A client with a token but no entry here gets
 *     client-defaults; an entry without a token is logged as a warning and cannot call.
 * @param clientDefaults Settings of every client that its own entry leaves unset.
 * @param executionProfiles Execution profiles by name (same grammar as client names). The
 *     deployment's backend has a default profile named after it (local, awsbatch or none) made from
 *     the top-level settings; an entry of that name refines it.
 */
@Validated
@ConfigurationProperties("batch-executor")
public record TenancyProperties(
    Map<String, @Valid Client> clients,
    @Valid @DefaultValue Client clientDefaults,
    Map<String, @Valid Profile> executionProfiles) {

  public TenancyProperties {
    clients = clients == null ? Map.of() : clients;
    executionProfiles = executionProfiles == null ? Map.of() : executionProfiles;
  }

  /**
   * One client's settings.
   *
   * @param executionProfiles The execution profiles the client may use, its default first (a
   *     request without executor.execution_profile runs on it); * for every profile. Unset: the
   *     client-defaults list; unset there too: the default profile of each of the deployment's
   *     backends (the default backend's first).
   * @param maxFollows How many task outputs the client may follow (logs?follow=true) at once on an
   *     instance; one more is answered 429. Unset: client-defaults', then 20.
   * @param maxHeldWaits How many answers held with ?wait= the client may have at once on an
   *     instance; one more is answered 429. Unset: client-defaults', then 100.
   * @param maxUnfinishedTasks How many tasks of the client may be unfinished at once (WAITING to
   *     RUNNING, a workflow's tasks each, a sweep as one task), across all instances; a submission
   *     that would pass it is answered 429. 0: no limit. Unset: client-defaults', then 10000.
   * @param submissionsPerSecond How many submissions (tasks or workflows) a second the client may
   *     make on average on one instance (a token bucket per client and instance); one more is
   *     answered 429. 0: no limit. Unset: client-defaults', then 100.
   * @param submissionBurst How many submissions the client may make at once on one instance before
   *     submissions-per-second applies (the bucket's size). Unset: client-defaults', then 1000.
   * @param maxRunsPerRequest How many runs one submission may ask for: a task counts its sweep's
   *     combinations (1 without a sweep), a workflow the sum over its tasks; more is answered 400.
   *     0: only the fixed bounds (10000 combinations a sweep, 1000 tasks a workflow). Unset:
   *     client-defaults', then 100000.
   */
  public record Client(
      List<String> executionProfiles,
      @Positive @Max(10_000) Integer maxFollows,
      @Positive @Max(100_000) Integer maxHeldWaits,
      @PositiveOrZero @Max(100_000_000) Integer maxUnfinishedTasks,
      @PositiveOrZero @Max(1_000_000) Double submissionsPerSecond,
      @Positive @Max(1_000_000) Integer submissionBurst,
      @PositiveOrZero @Max(10_000_000) Integer maxRunsPerRequest) {

    /** This client's settings, with what it leaves unset taken from {@code defaults}. */
    public Client orElse(Client defaults) {
      return new Client(
          executionProfiles != null ? executionProfiles : defaults.executionProfiles,
          maxFollows != null ? maxFollows : defaults.maxFollows,
          maxHeldWaits != null ? maxHeldWaits : defaults.maxHeldWaits,
          maxUnfinishedTasks != null ? maxUnfinishedTasks : defaults.maxUnfinishedTasks,
          submissionsPerSecond != null ? submissionsPerSecond : defaults.submissionsPerSecond,
          submissionBurst != null ? submissionBurst : defaults.submissionBurst,
          maxRunsPerRequest != null ? maxRunsPerRequest : defaults.maxRunsPerRequest);
    }
  }

  /**
   * One execution profile: a backend, the largest resources a task may ask for, the base images it
   * may build on and, for awsbatch, the AWS resources and identities its tasks use.
   *
   * @param backend Backend the profile runs on (local, awsbatch, none), one of the deployment's
   *     (batch-executor.backends). Unset: the deployment's default backend (the first of them).
   * @param baseImage Image a task of this profile is built on when the request names none; always
   *     allowed. Unset: batch-executor.image.base-image.
   * @param allowedBaseImages Further images a request may name as image.base_image: references,
   *     matched after normalising (python:3.11-slim is docker.io/library/python:3.11-slim), where *
   *     stands for any characters but / : @ (python:3.11-*); a digest reference matches only a
   *     pattern with that digest or @sha256:*. Unset: none besides base-image.
   * @param maxVcpu Most virtual CPUs a task may ask for. Unset: 16.
   * @param maxMemory Most memory in GB a task may ask for. Unset: 64.
   * @param maxGpus Most GPUs a task may ask for. Unset: 0 (no GPUs).
   * @param maxTimeLimit Longest time limit in seconds a task may ask for. Unset: 86400 (a day).
   * @param awsbatch The AWS resources and identities of the profile's tasks on AWS Batch.
   */
  public record Profile(
      Backend backend,
      String baseImage,
      List<String> allowedBaseImages,
      @DecimalMin(value = "0", inclusive = false, message = "must be greater than 0") @Max(4096)
          Double maxVcpu,
      @DecimalMin(value = "0", inclusive = false, message = "must be greater than 0") @Max(100_000)
          Double maxMemory,
      @PositiveOrZero @Max(64) Integer maxGpus,
      @Positive @Max(1_209_600) Integer maxTimeLimit,
      @Valid @DefaultValue AwsBatch awsbatch) {}

  /**
   * The AWS resources and identities of an execution profile, keyed as in the original
   * [executors.awsbatch] section. Each key left unset is the top-level batch-executor.awsbatch
   * value (then the Covalent configuration file's, then the original default).
   *
   * @param batchQueue AWS Batch job queue the profile's tasks are submitted to.
   * @param batchJobRoleName IAM role (name or ARN) the profile's tasks run as; {client} in it
   *     stands for the task's client (one role per client: CovalentJob-{client}).
   * @param batchExecutionRoleName IAM role (name or ARN) that ECS uses to pull images and write
   *     logs for the profile's tasks.
   * @param batchJobDefinitionName Name (family) under which the profile's job definitions are
   *     registered.
   * @param batchJobLogGroupName CloudWatch log group of the profile's tasks' output.
   * @param s3BucketName S3 bucket of the profile's tasks' payloads and results.
   * @param ecrRepoName ECR repository of the profile's task images.
   * @param tags Tags for cost attribution that every job of the profile carries besides the
   *     service's own (task id, client, workflow id, execution profile); keys with ':' or '/' are
   *     written in brackets ([team:ml]). At most 44; keys 1-128 and values 0-256 letters, digits,
   *     spaces and + - = . _ : / @; the prefixes aws: and batch-executor: are reserved.
   * @param linux Linux options of the profile's job definitions: shared memory, tmpfs, ulimits, EFS
   *     volumes.
   * @param secrets Secrets the profile's tasks may ask for (executor.secrets), by the name of the
   *     environment variable that carries the secret to the container ([A-Za-z_][A-Za-z0-9_]*, none
   *     of the names tasks may not set) to the ARN of a Secrets Manager secret
   *     (arn:aws:secretsmanager:region:account:secret:name, optionally
   *     :json-key:version-stage:version-id) or of an SSM Parameter Store parameter
   *     (arn:aws:ssm:region:account:parameter/name). A task gets only the ones it names; ECS reads
   *     them with the profile's execution role. Unset: none.
   */
  public record AwsBatch(
      String batchQueue,
      String batchJobRoleName,
      String batchExecutionRoleName,
      String batchJobDefinitionName,
      String batchJobLogGroupName,
      String s3BucketName,
      String ecrRepoName,
      Map<String, String> tags,
      @Valid Linux linux,
      Map<String, String> secrets) {

    public AwsBatch {
      tags = tags == null ? Map.of() : Map.copyOf(tags);
      linux = linux == null ? new Linux(null, null, null, null) : linux;
      secrets = secrets == null ? Map.of() : Map.copyOf(secrets);
    }
  }

  /**
   * Linux options of an execution profile's AWS Batch job definitions. Shared memory, tmpfs and
   * ulimits are linuxParameters, which AWS Batch runs on EC2 only: on a Fargate queue they are left
   * out (the task's events say so); EFS volumes work on both.
   *
   * @param sharedMemory Size of /dev/shm in MiB (PyTorch data loaders need more than Docker's 64).
   *     Unset: the container runtime's default.
   * @param tmpfs tmpfs mounts, each container-path:size-in-MiB (/scratch:2048).
   * @param ulimits ulimits, each name=soft:hard (nofile=65536:65536); names as Docker's (core, cpu,
   *     data, fsize, locks, memlock, msgqueue, nice, nofile, nproc, rss, rtprio, rttime,
   *     sigpending, stack).
   * @param efs EFS volumes, each file-system-id:container-path, optionally :ro (fs-0123abcd:/data
   *     or fs-0123abcd:/data:ro), mounted with transit encryption.
   */
  public record Linux(
      @Positive @Max(1_000_000) Integer sharedMemory,
      List<String> tmpfs,
      List<String> ulimits,
      List<String> efs) {

    public Linux {
      tmpfs = tmpfs == null ? List.of() : List.copyOf(tmpfs);
      ulimits = ulimits == null ? List.of() : List.copyOf(ulimits);
      efs = efs == null ? List.of() : List.copyOf(efs);
    }
  }
}
