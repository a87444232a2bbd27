package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.backend.PipelineStep;
import io.batchexecutor.backend.StepContext;
import io.batchexecutor.backend.StepResult;
import io.batchexecutor.support.Remembered;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import java.time.Clock;
import java.time.Duration;
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
    RegisterJobDefinitionRequest request =
        JobDefinitions.request(task, account, region, s3Endpoint);
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
