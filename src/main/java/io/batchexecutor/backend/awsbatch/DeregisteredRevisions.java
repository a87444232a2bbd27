package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.task.Task;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.batch.BatchClient;

/**
 * A SubmitJob that AWS Batch refused because the task's job definition revision is no longer
 * ACTIVE: the clean-up of another instance deregistered it between the moment the task found it by
 * its fingerprint and the moment the task stored it (from then on the clean-up leaves it alone).
 * The task then looks for its definition again, as if it had none, and this instance forgets the
 * revision it remembered, so that the look finds an ACTIVE one or registers a new one (which no
 * clean-up deregisters: no ended task refers to it). The definition is looked up (through the
 * throttling, as every call to Batch) only when the refusal is about the job definition (AWS says
 * "JobDefinition arn:… is not in ACTIVE status", or "… does not exist or is not in ACTIVE status"):
 * any other refusal fails the step without a call.
 */
final class DeregisteredRevisions {

  private static final Logger log = LoggerFactory.getLogger(DeregisteredRevisions.class);

  /** No one to tell: a step without a remembered revision. */
  static final Consumer<String> NOTHING_REMEMBERED = arn -> {};

  private final BatchClient batch;
  private final Throttling throttling;
  private final Consumer<String> forget;

  /**
   * @param forget makes the register step forget a revision it remembered
   */
  DeregisteredRevisions(BatchClient batch, Throttling throttling, Consumer<String> forget) {
    this.batch = batch;
    this.throttling = throttling;
    this.forget = forget;
  }

  /**
   * Whether SubmitJob's {@code refusal} was about the job definition, matched loosely ("job
   * definition" in any case and spacing: AWS writes "JobDefinition").
   */
  static boolean aboutTheDefinition(AwsServiceException refusal) {
    String message =
        refusal.awsErrorDetails() != null && refusal.awsErrorDetails().errorMessage() != null
            ? refusal.awsErrorDetails().errorMessage()
            : refusal.getMessage();
    return message != null
        && message.toLowerCase(Locale.ROOT).replaceAll("[\\s_-]", "").contains("jobdefinition");
  }

  /**
   * Whether the task's revision is gone (not ACTIVE, or not there at all) when SubmitJob's {@code
   * refusal} is about it: then the task is sent back to look for its definition again, saying so in
   * its events.
   */
  boolean sendBackIfGone(Task task, AwsServiceException refusal, Instant now)
      throws InterruptedException {
    if (!aboutTheDefinition(refusal)) {
      return false;
    }
    String arn = task.jobDefinitionArn();
    boolean active =
        throttling.call(
            () ->
                batch.describeJobDefinitions(b -> b.jobDefinitions(arn)).jobDefinitions().stream()
                    .anyMatch(d -> "ACTIVE".equals(d.status())));
    if (active) {
      return false;
    }
    forget.accept(arn);
    task.definitionGone(arn, now);
    log.info(
        "Task {}: job definition {} was deregistered before its job was submitted; looking for"
            + " the definition again",
        task.id(),
        arn);
    return true;
  }
}
