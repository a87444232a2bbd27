package io.batchexecutor.backend.awsbatch.events;

import io.batchexecutor.task.WatchedJobWakeUps.Woken;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import tools.jackson.databind.json.JsonMapper;

/**
 * The receiver of AWS Batch job state-change events: long-polls the SQS queue (at most 10 messages
 * and 20 seconds a call, SQS's limits), takes the job id of each event ({@link BatchJobEvent}),
 * makes the jobs' tasks due for the poller in one statement ({@code wake}, at the times {@link
 * WakeUps} allows), and then deletes the messages it handled (DeleteMessageBatch). A message whose
 * job is no watched task's is deleted too; one that could not be handled (the database failed) is
 * left in the queue, to come back after its visibility timeout.
 *
 * <p>A job whose task a poller holds at that moment is woken again on the next round (within {@link
 * #PENDING_FOR}), the receive then waiting only a second: that poll may have read the job before
 * the change.
 */
public final class ReceiveJobEvents {

  private static final Logger log = LoggerFactory.getLogger(ReceiveJobEvents.class);

  /** SQS's limits: messages per ReceiveMessage and entries per DeleteMessageBatch. */
  static final int MAX_MESSAGES = 10;

  /** How long a wake-up of a held task is tried again. */
  static final Duration PENDING_FOR = Duration.ofMinutes(2);

  private final SqsClient sqs;
  private final String queueUrl;
  private final Function<Map<String, Instant>, Woken> wake;
  private final JsonMapper json;
  private final Clock clock;
  private final WakeUps wakeUps;
  private final Map<String, Instant> pending = new HashMap<>();

  final AtomicLong received = new AtomicLong();
  final AtomicLong used = new AtomicLong();
  final AtomicLong ignored = new AtomicLong();

  public ReceiveJobEvents(
      SqsClient sqs,
      String queueUrl,
      Function<Map<String, Instant>, Woken> wake,
      JsonMapper json,
      Clock clock,
      Duration minInterval) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
    this.wake = wake;
    this.json = json;
    this.clock = clock;
    this.wakeUps = new WakeUps(minInterval);
  }

  /** Events received, events that woke a watched task's poll, and events of no watched task. */
  public record Counts(long received, long used, long ignored) {}

  public Counts counts() {
    return new Counts(received.get(), used.get(), ignored.get());
  }

  /** Whether wake-ups of held tasks wait to be tried again (the next receive waits a second). */
  boolean hasPending() {
    return !pending.isEmpty();
  }

  /**
   * One ReceiveMessage call of up to {@code waitSeconds}, its events handled and its messages
   * deleted; the number of messages received.
   */
  int receiveOnce(int waitSeconds) {
    List<Message> messages =
        sqs.receiveMessage(
                r ->
                    r.queueUrl(queueUrl)
                        .maxNumberOfMessages(MAX_MESSAGES)
                        .waitTimeSeconds(waitSeconds))
            .messages();
    received.addAndGet(messages.size());
    Instant now = clock.instant();
    Map<String, Instant> at = new LinkedHashMap<>();
    Map<Message, String> jobs = new LinkedHashMap<>();
    for (Message message : messages) {
      BatchJobEvent.jobId(message.body(), json)
          .ifPresent(
              job -> {
                jobs.put(message, job);
                at.computeIfAbsent(job, j -> wakeUps.at(j, now));
              });
    }
    pending.entrySet().removeIf(e -> e.getValue().plus(PENDING_FOR).isBefore(now));
    for (String job : pending.keySet()) {
      at.putIfAbsent(job, now);
    }
    Woken woken = wake.apply(at);
    for (String job : at.keySet()) {
      if (woken.leased().contains(job)) {
        pending.putIfAbsent(job, now);
      } else {
        pending.remove(job);
      }
    }
    for (Message message : messages) {
      String job = jobs.get(message);
      if (job != null && (woken.woken().contains(job) || woken.leased().contains(job))) {
        used.incrementAndGet();
      } else {
        ignored.incrementAndGet();
      }
    }
    delete(messages);
    return messages.size();
  }

  private void delete(List<Message> messages) {
    if (messages.isEmpty()) {
      return;
    }
    List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      entries.add(
          DeleteMessageBatchRequestEntry.builder()
              .id("m" + i)
              .receiptHandle(m.receiptHandle())
              .build());
    }
    for (int from = 0; from < entries.size(); from += MAX_MESSAGES) {
      List<DeleteMessageBatchRequestEntry> batch =
          entries.subList(from, Math.min(entries.size(), from + MAX_MESSAGES));
      DeleteMessageBatchResponse answer =
          sqs.deleteMessageBatch(r -> r.queueUrl(queueUrl).entries(batch));
      if (answer.hasFailed() && !answer.failed().isEmpty()) {
        log.warn(
            "SQS did not delete {} of {} handled event messages (code {}); they come back and"
                + " are handled again",
            answer.failed().size(),
            batch.size(),
            answer.failed().get(0).code());
      }
    }
  }
}
