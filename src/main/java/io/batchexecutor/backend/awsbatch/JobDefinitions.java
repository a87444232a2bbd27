package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.backend.ResultDigests;
import io.batchexecutor.backend.TaskPayload;
import io.batchexecutor.config.PayloadMode;
import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.runner.RunnerContract;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskObjects;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.batch.model.ContainerProperties;
import software.amazon.awssdk.services.batch.model.EvaluateOnExit;
import software.amazon.awssdk.services.batch.model.JobDefinitionType;
import software.amazon.awssdk.services.batch.model.JobTimeout;
import software.amazon.awssdk.services.batch.model.KeyValuePair;
import software.amazon.awssdk.services.batch.model.LogConfiguration;
import software.amazon.awssdk.services.batch.model.LogDriver;
import software.amazon.awssdk.services.batch.model.PlatformCapability;
import software.amazon.awssdk.services.batch.model.RegisterJobDefinitionRequest;
import software.amazon.awssdk.services.batch.model.ResourceRequirement;
import software.amazon.awssdk.services.batch.model.ResourceType;
import software.amazon.awssdk.services.batch.model.RetryAction;
import software.amazon.awssdk.services.batch.model.RetryStrategy;
import software.amazon.awssdk.services.batch.model.Secret;
import tools.jackson.databind.json.JsonMapper;

/**
 * The job definition a task is registered with: its image, a baseline of resources, role ARNs, the
 * environment the runner needs, {@code awslogs} logging, the retry rules and the timeout, tagged
 * with the execution profile, and with {@code propagateTags} so that the ECS tasks of its jobs
 * carry the jobs' and the definition's tags. The task's own resources (VCPU, MEMORY in MiB = GB ×
 * 1024, GPU) go with SubmitJob as container overrides ({@link #resourceOverrides}), so that one
 * revision serves an environment at every size. Its fingerprint (a hash of all of that) is kept as
 * a tag, so that an identical revision is found and reused instead of registering another.
 */
final class JobDefinitions {

  static final String FINGERPRINT_TAG = "batch-executor-fingerprint";

  /** The tag that names a definition's (and a job's) execution profile. */
  static final String PROFILE_TAG = "batch-executor:execution-profile";

  /**
   * The resources a definition names, which every job overrides with its own: the smallest size
   * that is valid on every platform (1 vCPU with 2 GiB is a Fargate size too).
   */
  static final List<ResourceRequirement> BASELINE =
      List.of(resource(ResourceType.VCPU, "1"), resource(ResourceType.MEMORY, "2048"));

  /** The runner's exit code when the user's function raised: never retried. */
  static final String EXIT_FUNCTION_RAISED = "65";

  private JobDefinitions() {}

  /**
   * The retry rules: the function raising is final; lost hosts and image pull or container start
   * failures are retried; anything else is final too.
   */
  static List<EvaluateOnExit> retryRules() {
    return List.of(
        EvaluateOnExit.builder().onExitCode(EXIT_FUNCTION_RAISED).action(RetryAction.EXIT).build(),
        EvaluateOnExit.builder().onStatusReason("Host EC2*").action(RetryAction.RETRY).build(),
        EvaluateOnExit.builder()
            .onReason("CannotPullContainerError*")
            .action(RetryAction.RETRY)
            .build(),
        EvaluateOnExit.builder()
            .onReason("CannotStartContainerError*")
            .action(RetryAction.RETRY)
            .build(),
        EvaluateOnExit.builder().onReason("*").action(RetryAction.EXIT).build());
  }

  static RegisterJobDefinitionRequest request(
      Task task, AwsAccount account, String region, String s3Endpoint) {
    return request(task, account, region, s3Endpoint, null, LinuxOptions.NONE);
  }

  static RegisterJobDefinitionRequest request(
      Task task,
      AwsAccount account,
      String region,
      String s3Endpoint,
      FargateOptions fargate,
      LinuxOptions linux) {
    return request(task, account, region, s3Endpoint, fargate, linux, List.of());
  }

  /**
   * The definition of {@code task}'s environment, for Fargate when {@code fargate} is given (with
   * {@code platformCapabilities} FARGATE and its options), else for EC2, with the profile's Linux
   * options and the {@code secrets} the task asks for (SubmitJob cannot override them: they are
   * part of the definition and its fingerprint).
   */
  static RegisterJobDefinitionRequest request(
      Task task,
      AwsAccount account,
      String region,
      String s3Endpoint,
      FargateOptions fargate,
      LinuxOptions linux,
      List<Secret> secrets) {
    TaskSettings s = task.settings();
    // only what all tasks share: what is the task's own goes into SubmitJob's overrides, so that
    // identical definitions stay identical and are reused
    List<KeyValuePair> environment = new ArrayList<>();
    if (s3Endpoint != null) {
      environment.add(env(RunnerContract.S3_ENDPOINT, s3Endpoint));
    }
    // sorted: the fingerprint is the request's text, which must not depend on the hash order of
    // one JVM run, or a restarted service would not recognise the definitions it registered
    Map<String, String> logOptions = new TreeMap<>();
    logOptions.putAll(
        region == null
            ? Map.of(
                "awslogs-group",
                s.batchJobLogGroupName(),
                "awslogs-stream-prefix",
                "batch-executor")
            : Map.of(
                "awslogs-group",
                s.batchJobLogGroupName(),
                "awslogs-region",
                region,
                "awslogs-stream-prefix",
                "batch-executor"));
    ContainerProperties container =
        ContainerProperties.builder()
            .image(task.imageRef())
            .resourceRequirements(BASELINE)
            .jobRoleArn(account.roleArn(s.batchJobRoleName()))
            .executionRoleArn(account.roleArn(s.batchExecutionRoleName()))
            .environment(environment)
            .logConfiguration(
                LogConfiguration.builder().logDriver(LogDriver.AWSLOGS).options(logOptions).build())
            .build();
    if (!secrets.isEmpty()) {
      container = container.toBuilder().secrets(secrets).build();
    }
    if (fargate != null) {
      container = fargate.applyTo(container);
    }
    container = linux.applyTo(container, fargate != null);
    RegisterJobDefinitionRequest.Builder request =
        RegisterJobDefinitionRequest.builder()
            .jobDefinitionName(s.batchJobDefinitionName())
            .type(JobDefinitionType.CONTAINER)
            .containerProperties(container)
            .retryStrategy(
                RetryStrategy.builder()
                    .attempts(s.retryAttempts())
                    .evaluateOnExit(retryRules())
                    .build())
            .timeout(JobTimeout.builder().attemptDurationSeconds(s.timeLimit()).build())
            .propagateTags(true);
    if (fargate != null) {
      request.platformCapabilities(PlatformCapability.FARGATE);
    }
    Map<String, String> tags = new TreeMap<>();
    if (s.executionProfile() != null) {
      tags.put(PROFILE_TAG, s.executionProfile());
    }
    request.tags(tags);
    tags.put(FINGERPRINT_TAG, fingerprint(request.build()));
    return request.tags(tags).build();
  }

  /**
   * The task's resources as SubmitJob's container overrides (an array job's children get them too):
   * VCPU, MEMORY in MiB, and GPU when it asks for any.
   */
  static List<ResourceRequirement> resourceOverrides(TaskSettings s) {
    return resourceOverrides(s.vcpu(), s.memoryMib(), s.numGpus());
  }

  static List<ResourceRequirement> resourceOverrides(double vcpu, long memoryMib, int gpus) {
    List<ResourceRequirement> resources = new ArrayList<>();
    resources.add(resource(ResourceType.VCPU, number(vcpu)));
    resources.add(resource(ResourceType.MEMORY, Long.toString(memoryMib)));
    if (gpus > 0) {
      resources.add(resource(ResourceType.GPU, Integer.toString(gpus)));
    }
    return resources;
  }

  /**
   * The task's own environment, given with SubmitJob as container overrides: where to write the
   * result, for a staged payload where to read the call, and the call's SHA-256, which the runner
   * checks what it reads against (it travels here, not in S3, so that a payload changed in S3 is
   * refused); first the request's own variables ({@code executor.environment}), sorted by name. A
   * task with files is told the most bytes of a file it may keep for its client ({@code
   * maxKeptFileBytes}): the runner fails the task rather than upload a larger one.
   */
  static List<KeyValuePair> taskEnvironment(Task task, JsonMapper json, long maxKeptFileBytes) {
    List<KeyValuePair> environment = new ArrayList<>();
    if (task.settings().environment() != null) {
      new TreeMap<>(task.settings().environment()).forEach((k, v) -> environment.add(env(k, v)));
    }
    environment.add(env(RunnerContract.RESULT_S3_URI, resultPrefix(task)));
    environment.add(env("BATCH_EXECUTOR_TASK_ID", task.id().toString()));
    environment.add(env(ResultDigests.PAYLOAD_SHA256_ENV, TaskPayload.digest(task, json)));
    if (task.spec().payloadMode() == PayloadMode.STAGED) {
      environment.add(
          env(
              RunnerContract.PAYLOAD_S3_URI,
              "s3://"
                  + task.settings().s3BucketName()
                  + "/"
                  + TaskObjects.key(task, TaskObjects.PAYLOAD)));
    }
    if (task.spec().hasFiles()) {
      environment.add(env(RunnerContract.MAX_KEPT_FILE_SIZE, Long.toString(maxKeptFileBytes)));
    }
    return environment;
  }

  /** Where the runner writes the task's result files. */
  static String resultPrefix(Task task) {
    return "s3://" + task.settings().s3BucketName() + "/" + TaskObjects.key(task, "");
  }

  static String fingerprint(RegisterJobDefinitionRequest request) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(request.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ResourceRequirement resource(ResourceType type, String value) {
    return ResourceRequirement.builder().type(type).value(value).build();
  }

  private static KeyValuePair env(String name, String value) {
    return KeyValuePair.builder().name(name).value(value).build();
  }

  private static String number(double value) {
    return value == Math.rint(value)
        ? Long.toString((long) value)
        : String.format(Locale.ROOT, "%s", value);
  }
}
