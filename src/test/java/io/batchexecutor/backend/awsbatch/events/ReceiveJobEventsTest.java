package io.batchexecutor.backend.awsbatch.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchexecutor.support.SettableClock;
import io.batchexecutor.task.WatchedJobWakeUps.Woken;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResultEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;
import tools.jackson.databind.json.JsonMapper;

class ReceiveJobEventsTest {

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final JsonMapper JSON = JsonMapper.builder().build();

  /** An SQS queue of the SDK's interface: what it hands out, and what was asked and deleted. */
  static final class FakeSqsClient implements SqsClient {
    final Deque<List<Message>> rounds = new ArrayDeque<>();
    final List<ReceiveMessageRequest> receives = new ArrayList<>();
    final List<DeleteMessageBatchRequest> deletes = new ArrayList<>();
    int next;

    void queue(String... bodies) {
      List<Message> messages = new ArrayList<>();
      for (String body : bodies) {
        messages.add(Message.builder().body(body).receiptHandle("rh-" + next++).build());
      }
      rounds.add(messages);
    }

    Set<String> deleted() {
      Set<String> handles = new HashSet<>();
      deletes.forEach(d -> d.entries().forEach(e -> handles.add(e.receiptHandle())));
      return handles;
    }

    @Override
    public ReceiveMessageResponse receiveMessage(ReceiveMessageRequest request) {
      receives.add(request);
      List<Message> messages = rounds.isEmpty() ? List.of() : rounds.poll();
      return ReceiveMessageResponse.builder().messages(messages).build();
    }

    @Override
    public DeleteMessageBatchResponse deleteMessageBatch(DeleteMessageBatchRequest request) {
      deletes.add(request);
      return DeleteMessageBatchResponse.builder()
          .successful(
              request.entries().stream()
                  .map(e -> DeleteMessageBatchResultEntry.builder().id(e.id()).build())
                  .toList())
          .failed(List.of())
          .build();
    }

    @Override
    public String serviceName() {
      return "sqs";
    }

    @Override
    public void close() {}
  }

  /** The tasks' side: which job ids are watched tasks', which of them a poller holds. */
  static final class Tasks {
    final Set<String> watched = new HashSet<>();
    final Set<String> held = new HashSet<>();
    final List<Map<String, Instant>> wakes = new ArrayList<>();
    RuntimeException failure;

    Woken wake(Map<String, Instant> at) {
      if (failure != null) {
        throw failure;
      }
      wakes.add(Map.copyOf(at));
      Set<String> woken = new HashSet<>();
      Set<String> leased = new HashSet<>();
      for (String job : at.keySet()) {
        if (held.contains(job)) {
          leased.add(job);
        } else if (watched.contains(job)) {
          woken.add(job);
        }
      }
      return new Woken(woken, leased);
    }
  }

  final FakeSqsClient sqs = new FakeSqsClient();
  final Tasks tasks = new Tasks();
  final SettableClock clock = SettableClock.at(T0);
  final ReceiveJobEvents receiver =
      new ReceiveJobEvents(sqs, "https://sqs/q", tasks::wake, JSON, clock, Duration.ofSeconds(5));

  static String event(String jobId, String status) {
    return "{\"version\":\"0\",\"detail-type\":\"Batch Job State Change\",\"source\":\"aws.batch\","
        + "\"detail\":{\"jobId\":\""
        + jobId
        + "\",\"status\":\""
        + status
        + "\"}}";
  }

  @Test
  void onlyTheJobIdOfABatchStateChangeIsTaken() {
    assertThat(BatchJobEvent.jobId(event("a1-b2", "SUCCEEDED"), JSON)).contains("a1-b2");
    assertThat(BatchJobEvent.jobId(event("a1-b2:7", "SUCCEEDED"), JSON))
        .as("an array child stands for its parent")
        .contains("a1-b2");
    assertThat(BatchJobEvent.jobId(event("a1-b2", "X").replace("aws.batch", "my.app"), JSON))
        .isEmpty();
    assertThat(
            BatchJobEvent.jobId(
                event("a1", "X").replace("Batch Job State Change", "Batch Job Queue Blocked"),
                JSON))
        .isEmpty();
    assertThat(BatchJobEvent.jobId(event("a1'; DROP TABLE task;--", "X"), JSON)).isEmpty();
    assertThat(BatchJobEvent.jobId("not json", JSON)).isEmpty();
    assertThat(
            BatchJobEvent.jobId(
                "{\"source\":\"aws.batch\",\"detail-type\":\"Batch Job State Change\","
                    + "\"detail\":{\"jobId\":42}}",
                JSON))
        .isEmpty();
  }

  @Test
  void aRoundAsksSqsWithinItsLimitsWakesTheJobsOnceAndDeletesEveryMessage() {
    tasks.watched.addAll(List.of("j1", "j2"));
    sqs.queue(
        event("j1", "RUNNING"),
        event("j1", "SUCCEEDED"),
        event("j2", "FAILED"),
        event("unknown", "SUCCEEDED"),
        "garbage");

    assertThat(receiver.receiveOnce(20)).isEqualTo(5);

    ReceiveMessageRequest asked = sqs.receives.get(0);
    assertThat(asked.maxNumberOfMessages()).isEqualTo(10);
    assertThat(asked.waitTimeSeconds()).isEqualTo(20);
    assertThat(tasks.wakes).hasSize(1);
    assertThat(tasks.wakes.get(0)).containsOnlyKeys("j1", "j2", "unknown");
    assertThat(tasks.wakes.get(0).get("j1")).isEqualTo(T0);
    assertThat(sqs.deleted()).containsExactlyInAnyOrder("rh-0", "rh-1", "rh-2", "rh-3", "rh-4");
    for (DeleteMessageBatchRequest delete : sqs.deletes) {
      assertThat(delete.entries()).hasSizeLessThanOrEqualTo(10);
      assertThat(delete.entries().stream().map(DeleteMessageBatchRequestEntry::id).distinct())
          .hasSize(delete.entries().size());
    }
    assertThat(receiver.counts()).isEqualTo(new ReceiveJobEvents.Counts(5, 3, 2));
  }

  @Test
  void moreEventsForAJobWithinTheIntervalMakeOneLaterPollNotMore() {
    tasks.watched.add("j1");
    sqs.queue(event("j1", "RUNNING"));
    sqs.queue(event("j1", "SUCCEEDED"));
    sqs.queue(event("j1", "SUCCEEDED"));

    receiver.receiveOnce(20);
    clock.advance(Duration.ofSeconds(1));
    receiver.receiveOnce(20);
    clock.advance(Duration.ofSeconds(1));
    receiver.receiveOnce(20);

    assertThat(tasks.wakes.get(0).get("j1")).isEqualTo(T0);
    assertThat(tasks.wakes.get(1).get("j1"))
        .as("a second event within 5 s: due at the end of the interval")
        .isEqualTo(T0.plusSeconds(5));
    assertThat(tasks.wakes.get(2).get("j1"))
        .as("a third one is covered by the poll already due then")
        .isEqualTo(T0.plusSeconds(5));
  }

  @Test
  void aJobWhoseTaskAPollerHoldsIsWokenAgainOnTheNextRound() {
    tasks.watched.add("j1");
    tasks.held.add("j1");
    sqs.queue(event("j1", "SUCCEEDED"));

    receiver.receiveOnce(20);
    assertThat(receiver.hasPending()).isTrue();
    tasks.held.clear();
    receiver.receiveOnce(1);

    assertThat(tasks.wakes).hasSize(2);
    assertThat(tasks.wakes.get(1)).containsKey("j1");
    assertThat(receiver.hasPending()).isFalse();
  }

  @Test
  void messagesAreNotDeletedWhenTheirWakeUpFailed() {
    tasks.failure = new IllegalStateException("database down");
    sqs.queue(event("j1", "SUCCEEDED"));

    assertThatThrownBy(() -> receiver.receiveOnce(20)).hasMessageContaining("database down");

    assertThat(sqs.deletes).isEmpty();
  }
}
