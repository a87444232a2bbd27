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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
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
 * at most, so that a queue fixed meanwhile is found soon. A queue that AWS said for {@code
 * giveUpAfter} ({@code batch-executor.awsbatch.platform-give-up-after}, counted from this
 * instance's first such answer) does not exist or cannot be read (access denied, an invalid
 * request) is unusable until it is read again: the tasks waiting for it fail, new ones are refused,
 * each saying why. No answer (a network error, throttling, a 5xx) counts for nothing: through an
 * outage tasks keep waiting. What clients read is a fixed text naming the queue; AWS's own message
 * (which may name the account or a role) is only logged.
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

  /** An answer as kept: {@code definite} when AWS answered (also: no such queue, access denied). */
  private record Entry(Platform platform, boolean definite, Instant until) {}

  private static final Logger log = LoggerFactory.getLogger(QueuePlatforms.class);

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
      return givenUp(queue, entry, now);
    }
    Platform platform;
    boolean definite = true;
    try {
      platform = describe(queue);
    } catch (RuntimeException e) {
      definite = definite(e);
      log.warn(
          "Cannot read job queue {} (AWS {}): {}",
          queue,
          definite ? "answered" : "no answer",
          e.toString());
      platform = Platform.unknown(unreadable(queue, e, definite));
    }
    Duration keep =
        platform.known() || refresh.compareTo(UNUSABLE_FOR) < 0 ? refresh : UNUSABLE_FOR;
    Entry read = new Entry(platform, definite, now.plus(keep));
    known.put(queue, read);
    if (platform.kind() != Platform.Kind.UNKNOWN) {
      unknownSince.remove(queue);
    } else if (definite) {
      unknownSince.putIfAbsent(queue, now);
    }
    return givenUp(queue, read, now);
  }

  /**
   * Whether {@code e} is AWS's answer about the queue (access denied, an invalid request: a 4xx
   * other than throttling), not the lack of one (a network error, throttling, a 5xx).
   */
  static boolean definite(RuntimeException e) {
    return e instanceof AwsServiceException s
        && !s.isThrottlingException()
        && s.statusCode() >= 400
        && s.statusCode() < 500
        && s.statusCode() != 408;
  }

  /** What clients read when {@code queue} could not be read: never AWS's own message. */
  private static String unreadable(String queue, RuntimeException e, boolean definite) {
    String why;
    if (!definite) {
      why = "AWS Batch did not answer (unreachable, throttling or a server error); waiting for it";
    } else if (denied((AwsServiceException) e)) {
      why = "access denied to batch:DescribeJobQueues or batch:DescribeComputeEnvironments";
    } else {
      why = "AWS Batch refused the request (check the execution profile's batch-queue)";
    }
    return "job queue " + queue + " could not be read: " + why;
  }

  private static boolean denied(AwsServiceException e) {
    String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    return e.statusCode() == 403 || (code != null && code.contains("AccessDenied"));
  }

  /**
   * The entry's platform, or unusable when AWS has said for {@code giveUpAfter} that the queue
   * cannot be used, and said so last.
   */
  private Platform givenUp(String queue, Entry entry, Instant now) {
    Platform platform = entry.platform();
    Instant since = unknownSince.get(queue);
    if (platform.kind() != Platform.Kind.UNKNOWN
        || !entry.definite()
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
