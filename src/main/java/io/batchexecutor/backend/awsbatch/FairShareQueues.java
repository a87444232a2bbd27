package io.batchexecutor.backend.awsbatch;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.batch.model.JobQueueDetail;

/**
 * Which job queues schedule by fair share, so that a job submitted to one carries its client as its
 * share identifier: each queue is read once (DescribeJobQueues) and remembered, since AWS Batch
 * never turns a FIFO queue into a fair-share one, nor takes a queue's fair-share policy away (it
 * can only be replaced by another). A queue that is not found is not remembered: its SubmitJob
 * fails anyway, and it may be created later.
 */
final class FairShareQueues {

  private final BatchClient batch;
  private final Throttling throttling;
  private final Map<String, Boolean> known = new ConcurrentHashMap<>();

  FairShareQueues(BatchClient batch, Throttling throttling) {
    this.batch = batch;
    this.throttling = throttling;
  }

  /** Whether {@code queue} (a name or an ARN) has a fair-share scheduling policy. */
  boolean fairShare(String queue) throws InterruptedException {
    Boolean remembered = known.get(queue);
    if (remembered != null) {
      return remembered;
    }
    List<JobQueueDetail> found =
        throttling.call(() -> batch.describeJobQueues(b -> b.jobQueues(queue)).jobQueues());
    if (found.isEmpty()) {
      return false;
    }
    boolean fairShare = found.get(0).schedulingPolicyArn() != null;
    known.put(queue, fairShare);
    return fairShare;
  }

  /**
   * The share identifier of {@code client}'s jobs. AWS allows letters and digits only (up to 255);
   * a client's name is lowercase letters, digits and '-' (up to 32, {@code ClientNames}), so each
   * '-' (and any other character but a lowercase letter or digit) becomes an uppercase 'X', which
   * no client's name contains: two clients never share an identifier.
   */
  static String shareIdentifier(String client) {
    String mapped = client.replaceAll("[^a-z0-9]", "X");
    return mapped.length() > 255 ? mapped.substring(0, 255) : mapped;
  }
}
