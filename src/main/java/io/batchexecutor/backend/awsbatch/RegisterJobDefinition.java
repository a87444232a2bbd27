package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.backend.PipelineStep;
import io.batchexecutor.backend.StepContext;
import io.batchexecutor.backend.StepResult;
import io.batchexecutor.support.Remembered;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskError;
import io.batchexecutor.task.TaskStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.batch.model.JobDefinition;
import software.amazon.awssdk.services.batch.model.RegisterJobDefinitionRequest;

/**
 * REGISTERING: finds an ACTIVE revision with the same fingerprint, or registers one. The task keeps
 * the exact {@code name:revision} ARN it will be submitted with, never the bare name, which would
 * race with parallel tasks.
 *
 * <p>Tasks with one environment image and one set of resources share a definition: registrations of
 * one fingerprint wait for each other on this instance (the second finds the first's revision), and
 * the revision found or registered is remembered for a while, so a task on a known environment and
 * resources makes no Batch call here.
 */
class RegisterJobDefinition implements PipelineStep {

  /** How long a revision found or registered is taken to be ACTIVE still. */
  static final Duration REMEMBER = Duration.ofMinutes(10);

  private final BatchClient batch;
  private final BatchClient registrar;
  private final AwsAccount account;
  private final String region;
  private final String s3Endpoint;
  private final Remembered<String> revisions;
  private final QueuePlatforms platforms;
  private final FargateOptions fargate;
  private final Map<String, LinuxOptions> linux;
  private final ProfileSecrets secrets;

  /**
   * @param batch for looking definitions up
   * @param registrar for RegisterJobDefinition: a client without SDK retries, so that a lost answer
   *     is followed by a look-up (when the step runs again), never by a second registration
   */
  RegisterJobDefinition(
      BatchClient batch,
      BatchClient registrar,
      AwsAccount account,
      String region,
      String s3Endpoint,
      Clock clock) {
    this(batch, registrar, account, region, s3Endpoint, clock, null, null, Map.of());
  }

  RegisterJobDefinition(
      BatchClient batch,
      BatchClient registrar,
      AwsAccount account,
      String region,
      String s3Endpoint,
      Clock clock,
      QueuePlatforms platforms,
      FargateOptions fargate,
      Map<String, LinuxOptions> linux) {
    this(
        batch,
        registrar,
        account,
        region,
        s3Endpoint,
        clock,
        platforms,
        fargate,
        linux,
        ProfileSecrets.NONE);
  }

  /**
   * @param platforms the platform of each queue (null: every queue is EC2)
   * @param fargate what a Fargate definition carries
   * @param linux each execution profile's Linux options
   * @param secrets each execution profile's secrets
   */
  RegisterJobDefinition(
      BatchClient batch,
      BatchClient registrar,
      AwsAccount account,
      String region,
      String s3Endpoint,
      Clock clock,
      QueuePlatforms platforms,
      FargateOptions fargate,
      Map<String, LinuxOptions> linux,
      ProfileSecrets secrets) {
    this.linux = Map.copyOf(linux);
    this.secrets = secrets;
    this.platforms = platforms;
    this.fargate = fargate;
    this.batch = batch;
    this.registrar = registrar;
    this.account = account;
    this.region = region;
    this.s3Endpoint = s3Endpoint;
    this.revisions = new Remembered<>(clock, REMEMBER, 10_000);
  }

  @Override
  public boolean handles(Task task) {
    return task.status() == TaskStatus.REGISTERING && task.jobDefinitionArn() == null;
  }

  @Override
  public StepResult run(Task task, StepContext context) throws InterruptedException {
    FargateOptions options = null;
    if (platforms != null) {
      Optional<StepResult> unknown = platforms.unknownFor(task, context.now());
      if (unknown.isPresent()) {
        return unknown.get();
      }
      options = platforms.of(task.settings().batchQueue()).fargate() ? fargate : null;
    }
    String profile = task.settings().executionProfile();
    LinuxOptions profileLinux =
        profile == null ? LinuxOptions.NONE : linux.getOrDefault(profile, LinuxOptions.NONE);
    if (options != null && profileLinux.hasLinuxParameters()) {
      task.optionsLeftOut(
          "shared memory, tmpfs and ulimits of execution profile "
              + profile
              + " are left out: AWS Batch does not run them on Fargate",
          context.now());
    }
    Optional<String> missing = secrets.missing(task.settings());
    if (missing.isPresent()) {
      String reason = "execution profile " + profile + " no longer gives secret " + missing.get();
      task.fail(reason, new TaskError("SecretNotGiven", reason, null), null, null, context.now());
      return StepResult.proceed();
    }
    RegisterJobDefinitionRequest request =
        JobDefinitions.request(
            task,
            account,
            region,
            s3Endpoint,
            options,
            profileLinux,
            secrets.forTask(task.settings()));
    String fingerprint = request.tags().get(JobDefinitions.FINGERPRINT_TAG);
    String arn =
        revisions.getOrLoad(
            request.jobDefinitionName() + "/" + fingerprint,
            () ->
                existing(request.jobDefinitionName(), fingerprint)
                    .orElseGet(() -> registrar.registerJobDefinition(request).jobDefinitionArn()));
    task.registered(arn, context.now());
    return StepResult.proceed();
  }

  /** Forgets revision {@code arn}: it was found deregistered. */
  void forget(String arn) {
    revisions.forgetValue(arn);
  }

  /**
   * The revisions this instance found or registered within the last {@link #REMEMBER}: a task may
   * be about to submit with one of them, so the clean-up leaves them alone.
   */
  java.util.Set<String> recent() {
    return revisions.values();
  }

  private Optional<String> existing(String name, String fingerprint) {
    return batch
        .describeJobDefinitionsPaginator(b -> b.jobDefinitionName(name).status("ACTIVE"))
        .jobDefinitions()
        .stream()
        .filter(d -> fingerprint.equals(d.tags().get(JobDefinitions.FINGERPRINT_TAG)))
        .map(JobDefinition::jobDefinitionArn)
        .findFirst();
  }
}
