package io.batchexecutor.backend.awsbatch;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
 * at most, so that a queue fixed meanwhile is found soon.
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
  private final Map<String, Entry> known = new ConcurrentHashMap<>();

  QueuePlatforms(BatchClient batch, Clock clock, Duration refresh) {
    this.batch = batch;
    this.clock = clock;
    this.refresh = refresh;
  }

  /** The platform of {@code queue} (a name or an ARN), as last read. */
  Platform of(String queue) {
    Instant now = clock.instant();
    Entry entry = known.get(queue);
    if (entry != null && now.isBefore(entry.until())) {
      return entry.platform();
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
    return platform;
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
