package io.batchexecutor.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code batch-executor.awsbatch.events.*}: AWS Batch job state-change events, read from an SQS
 * queue that an EventBridge rule fills, as a fast path beside the poll. An event only makes its
 * job's task due for the poller, which asks AWS Batch (DescribeJobs); the poll every poll_freq
 * seconds stays.
 *
 * @param queueUrl URL of the SQS queue that receives the EventBridge "Batch Job State Change"
 *     events. Unset: no events; tasks are polled every poll_freq seconds only.
 * @param receiveWait How long one ReceiveMessage call waits for an event (long polling), 1s to 20s.
 * @param minInterval The least time between two polls of one job that events cause: more events for
 *     the job meanwhile make one poll at the end of the interval.
 * @param maxBackOff The longest wait before receiving again after SQS or the database failed (the
 *     wait doubles from a second up to it).
 */
@ConfigurationProperties("batch-executor.awsbatch.events")
@Validated
public record AwsBatchEventsProperties(
    String queueUrl,
    @DefaultValue("20s") Duration receiveWait,
    @DefaultValue("5s") Duration minInterval,
    @DefaultValue("60s") Duration maxBackOff) {

  public AwsBatchEventsProperties {
    receiveWait = receiveWait == null ? Duration.ofSeconds(20) : receiveWait;
    minInterval = minInterval == null ? Duration.ofSeconds(5) : minInterval;
    maxBackOff = maxBackOff == null ? Duration.ofSeconds(60) : maxBackOff;
    if (receiveWait.compareTo(Duration.ofSeconds(1)) < 0
        || receiveWait.compareTo(Duration.ofSeconds(20)) > 0) {
      throw new IllegalArgumentException(
          "batch-executor.awsbatch.events.receive-wait must be 1s to 20s (SQS's WaitTimeSeconds), not "
              + receiveWait);
    }
    if (minInterval.isNegative() || maxBackOff.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException(
          "batch-executor.awsbatch.events.min-interval must not be negative and max-back-off"
              + " must be at least 1s");
    }
    queueUrl = queueUrl == null || queueUrl.isBlank() ? null : queueUrl.strip();
  }

  /** Whether events are read at all. */
  public boolean enabled() {
    return queueUrl != null;
  }
}
