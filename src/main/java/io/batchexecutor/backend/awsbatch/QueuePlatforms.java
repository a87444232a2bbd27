package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.backend.StepResult;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskError;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.batch.model.ComputeEnvironmentDetail;
import software.amazon.awssdk.services.batch.model.ComputeEnvironmentOrder;
import software.amazon.awssdk.services.batch.model.JobQueueDetail;

/**
 * The platform a job queue's jobs run on, from its compute environments (DescribeJobQueues, then
 * DescribeComputeEnvironments): EC2 (EC2 and SPOT, or unmanaged), or Fargate (FARGATE and
 * FARGATE_SPOT). A queue that mixes both, or has none, is unusable, saying why: its tasks are
 * refused with that reason, and nothing else fails. Each answer is kept for the refresh interval
 * ({@code batch-executor.awsbatch.platform-refresh}), one that is not EC2 or Fargate for a minute
 * at most, so that a queue fixed meanwhile is found soon. A queue that could not be read for {@code
 * giveUpAfter} ({@code batch-executor.awsbatch.platform-give-up-after}, counted from this
 * instance's first failed read) is unusable until it is read again: the tasks waiting for it fail,
 * new ones are refused, each saying why.
 */
final class QueuePlatforms {

  /** How long an unusable answer is kept at most: a queue fixed meanwhile is found soon. */
  static final Duration UNUSABLE_FOR = Duration.ofMinutes(1);

  /**
   * A queue's platform; or why it cannot be used (it mixes platforms, has no compute environment);
   * or why it is not known (the queue could not be read, or does not exist yet): then nothing is
   * refused at acceptance, and the register step waits for an answer.
   */
  record Platform(Kind kind, String reason) {

    enum Kind {
      EC2,
      FARGATE,
      UNUSABLE,
      UNKNOWN
    }

    static final Platform EC2 = new Platform(Kind.EC2, null);
    static final Platform FARGATE = new Platform(Kind.FARGATE, null);

    static Platform unusable(String why) {
      return new Platform(Kind.UNUSABLE, why);
    }

    static Platform unknown(String why) {
      return new Platform(Kind.UNKNOWN, why);
    }

    boolean fargate() {
      return kind == Kind.FARGATE;
    }

    boolean known() {
      return kind == Kind.EC2 || kind == Kind.FARGATE;
    }
  }

  private record Entry(Platform platform, Instant until) {}

  private final BatchClient batch;
  private final Clock clock;
  private final Duration refresh;
  private final Duration giveUpAfter;
  private final Map<String, Entry> known = new ConcurrentHashMap<>();
  private final Map<String, Instant> unknownSince = new ConcurrentHashMap<>();

  QueuePlatforms(BatchClient batch, Clock clock, Duration refresh) {
    this(batch, clock, refresh, Duration.ofMinutes(30));
  }

  QueuePlatforms(BatchClient batch, Clock clock, Duration refresh, Duration giveUpAfter) {
    this.batch = batch;
    this.clock = clock;
    this.refresh = refresh;
    this.giveUpAfter = giveUpAfter;
  }

  /**
   * For a step that needs the platform of {@code task}'s queue: empty when it is known; else the
   * task waits for it (released, its reason saying so) or, when the queue cannot be used, fails
   * with the reason.
   */
  Optional<StepResult> unknownFor(Task task, Instant now) {
    Platform platform = of(task.settings().batchQueue());
    if (platform.kind() == Platform.Kind.UNUSABLE) {
      String reason = "execution profile unusable: " + platform.reason();
      task.fail(reason, new TaskError("ProfileUnusable", reason, null), null, null, now);
      return Optional.of(StepResult.proceed());
    }
    if (!platform.known()) {
      // a definition or a size for the wrong platform would be refused at SubmitJob: wait
      task.observe(task.status(), "waiting for the queue's platform: " + platform.reason(), now);
      return Optional.of(StepResult.releaseFor(UNUSABLE_FOR));
    }
    return Optional.empty();
  }

  /** The platform of {@code queue} (a name or an ARN), as last read. */
  Platform of(String queue) {
    Instant now = clock.instant();
    Entry entry = known.get(queue);
    if (entry != null && now.isBefore(entry.until())) {
      return givenUp(queue, entry.platform(), now);
    }
    Platform platform;
    try {
      platform = describe(queue);
    } catch (RuntimeException e) {
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      platform =
          Platform.unknown(
              "job queue "
                  + queue
                  + " could not be read: "
                  + message.lines().findFirst().orElse(""));
    }
    Duration keep =
        platform.known() || refresh.compareTo(UNUSABLE_FOR) < 0 ? refresh : UNUSABLE_FOR;
    known.put(queue, new Entry(platform, now.plus(keep)));
    if (platform.kind() == Platform.Kind.UNKNOWN) {
      unknownSince.putIfAbsent(queue, now);
    } else {
      unknownSince.remove(queue);
    }
    return givenUp(queue, platform, now);
  }

  /** {@code platform}, or unusable when it has not been known for {@code giveUpAfter}. */
  private Platform givenUp(String queue, Platform platform, Instant now) {
    Instant since = unknownSince.get(queue);
    if (platform.kind() != Platform.Kind.UNKNOWN
        || since == null
        || now.isBefore(since.plus(giveUpAfter))) {
      return platform;
    }
    return Platform.unusable(
        platform.reason()
            + " (for "
            + Duration.between(since, now).toMinutes()
            + " min"
            + ", longer than batch-executor.awsbatch.platform-give-up-after)");
  }

  private Platform describe(String queue) {
    List<JobQueueDetail> queues = batch.describeJobQueues(b -> b.jobQueues(queue)).jobQueues();
    if (queues.isEmpty()) {
      return Platform.unknown("job queue " + queue + " does not exist");
    }
    List<String> environments =
        queues.get(0).computeEnvironmentOrder().stream()
            .map(ComputeEnvironmentOrder::computeEnvironment)
            .toList();
    if (environments.isEmpty()) {
      return Platform.unusable("job queue " + queue + " has no compute environment");
    }
    List<ComputeEnvironmentDetail> details =
        batch
            .describeComputeEnvironments(b -> b.computeEnvironments(environments))
            .computeEnvironments();
    Set<String> kinds = new TreeSet<>();
    for (ComputeEnvironmentDetail ce : details) {
      String type =
          ce.computeResources() == null || ce.computeResources().typeAsString() == null
              ? "EC2" // an unmanaged environment: the operator's own EC2 instances
              : ce.computeResources().typeAsString();
      kinds.add(type.startsWith("FARGATE") ? "FARGATE" : "EC2");
    }
    if (kinds.size() > 1) {
      return Platform.unusable(
          "job queue "
              + queue
              + " mixes EC2 and Fargate compute environments, which AWS Batch does not run one"
              + " job definition on");
    }
    if (kinds.isEmpty()) {
      return Platform.unknown("job queue " + queue + "'s compute environments were not found");
    }
    return kinds.contains("FARGATE") ? Platform.FARGATE : Platform.EC2;
  }
}
