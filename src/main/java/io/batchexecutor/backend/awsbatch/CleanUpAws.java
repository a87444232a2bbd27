package io.batchexecutor.backend.awsbatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.batch.model.JobDefinition;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.LifecyclePolicyNotFoundException;

/**
 * The periodic clean-up of what the service leaves in AWS (off unless {@code
 * batch-executor.awsbatch.cleanup.enabled}): it deregisters the ACTIVE revisions of the profiles'
 * job-definition families that carry the service's fingerprint, that some task referred to, and
 * that no task has referred to since {@code min-age} (no unfinished task, none ended since); and it
 * sets a lifecycle policy on each profile's ECR repository that has none, expiring untagged images
 * and, when {@code image-max-age} is set, images pushed longer ago than that. Both are logged, with
 * counts. Several instances may run it at once: each decides from the shared database, and
 * deregistering a revision twice, or finding the policy another set, is no harm. A revision no task
 * refers to at all (say, its tasks were deleted) is left alone: its age is not known.
 */
final class CleanUpAws implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(CleanUpAws.class);

  /** What the clean-up asks of the database. */
  interface Definitions {
    Set<String> referenced(Collection<String> arns);

    Set<String> inUseSince(Collection<String> arns, Instant since);
  }

  /** What the clean-up did in one run. */
  record Done(int deregistered, int policiesSet) {}

  private final BatchClient batch;
  private final EcrClient ecr;
  private final Definitions definitions;
  private final Supplier<Collection<String>> families;
  private final Supplier<Collection<String>> repositories;
  private final Clock clock;
  private final Duration minAge;
  private final Duration imageMaxAge;

  /**
   * @param families the profiles' job-definition names
   * @param repositories the profiles' ECR repositories
   * @param imageMaxAge how long after its push an image expires; zero: untagged images only
   */
  CleanUpAws(
      BatchClient batch,
      EcrClient ecr,
      Definitions definitions,
      Supplier<Collection<String>> families,
      Supplier<Collection<String>> repositories,
      Clock clock,
      Duration minAge,
      Duration imageMaxAge) {
    this.batch = batch;
    this.ecr = ecr;
    this.definitions = definitions;
    this.families = families;
    this.repositories = repositories;
    this.clock = clock;
    this.minAge = minAge;
    this.imageMaxAge = imageMaxAge;
  }

  @Override
  public void run() {
    try {
      Done done = once();
      log.info(
          "AWS clean-up: {} job definition revisions deregistered, {} ECR lifecycle policies set",
          done.deregistered(),
          done.policiesSet());
    } catch (RuntimeException e) {
      log.warn("AWS clean-up failed; trying again at the next run: {}", e.getMessage());
    }
  }

  Done once() {
    int deregistered = 0;
    for (String family : new HashSet<>(families.get())) {
      deregistered += cleanFamily(family);
    }
    int policies = 0;
    for (String repository : new HashSet<>(repositories.get())) {
      policies += lifecyclePolicy(repository) ? 1 : 0;
    }
    return new Done(deregistered, policies);
  }

  private int cleanFamily(String family) {
    List<String> ours =
        batch
            .describeJobDefinitionsPaginator(b -> b.jobDefinitionName(family).status("ACTIVE"))
            .jobDefinitions()
            .stream()
            .filter(d -> d.tags().containsKey(JobDefinitions.FINGERPRINT_TAG))
            .map(JobDefinition::jobDefinitionArn)
            .toList();
    Set<String> old = new HashSet<>(definitions.referenced(ours));
    old.removeAll(definitions.inUseSince(ours, clock.instant().minus(minAge)));
    for (String arn : old) {
      batch.deregisterJobDefinition(b -> b.jobDefinition(arn));
      log.info("Deregistered job definition {}: no task has used it for {}", arn, minAge);
    }
    return old.size();
  }

  /** Sets the policy on {@code repository} if it has none; whether it did. */
  private boolean lifecyclePolicy(String repository) {
    try {
      ecr.getLifecyclePolicy(b -> b.repositoryName(repository));
      return false; // the operator's own, or one set before: never replaced
    } catch (LifecyclePolicyNotFoundException none) {
      ecr.putLifecyclePolicy(
          b -> b.repositoryName(repository).lifecyclePolicyText(policy(imageMaxAge)));
      log.info("Set a lifecycle policy on ECR repository {}", repository);
      return true;
    }
  }

  /** The lifecycle policy: untagged images after a day, any image after {@code maxAge} if set. */
  static String policy(Duration maxAge) {
    String untagged =
        "{\"rulePriority\":1,\"description\":\"batch-executor: untagged images\","
            + "\"selection\":{\"tagStatus\":\"untagged\",\"countType\":\"sinceImagePushed\","
            + "\"countUnit\":\"days\",\"countNumber\":1},\"action\":{\"type\":\"expire\"}}";
    if (maxAge.isZero()) {
      return "{\"rules\":[" + untagged + "]}";
    }
    long days = Math.max(1, maxAge.toDays());
    String old =
        "{\"rulePriority\":2,\"description\":\"batch-executor: environment images pushed over "
            + days
            + " days ago\",\"selection\":{\"tagStatus\":\"any\",\"countType\":\"sinceImagePushed\","
            + "\"countUnit\":\"days\",\"countNumber\":"
            + days
            + "},\"action\":{\"type\":\"expire\"}}";
    return "{\"rules\":[" + untagged + "," + old + "]}";
  }
}
