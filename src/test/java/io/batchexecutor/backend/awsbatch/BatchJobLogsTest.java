package io.batchexecutor.backend.awsbatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.backend.LogChunk;
import io.batchexecutor.backend.LogPosition;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsRequest;

/**
 * Following a job's CloudWatch stream by its forward token, against a fake of the SDK client that
 * pages as the service does and answers the token it was given when nothing is new.
 */
class BatchJobLogsTest {

  static final String GROUP = "covalent-batch-job-logs";

  final List<String> lines = new ArrayList<>();
  LogPosition position = LogPosition.START;
  final StringBuilder received = new StringBuilder();

  LogChunk read(BatchJobLogs logs, String stream) {
    LogChunk chunk = logs.readAfter(GROUP, stream, position).orElseThrow();
    received.append(chunk.text());
    position = chunk.next();
    return chunk;
  }

  void print(int from, int to) {
    for (int i = from; i < to; i++) {
      lines.add("line " + i);
    }
  }

  @Test
  void aTailIsOneCallFromTheEndOfTheStream() {
    FakeLogs fake = new FakeLogs(10_000);
    fake.streams.put(GROUP + "|s1", lines);
    BatchJobLogs logs = new BatchJobLogs(fake);
    print(0, 25_001);

    String tail = logs.tail(GROUP, "s1", 100).orElseThrow();

    assertThat(tail.lines().toList()).hasSize(100).startsWith("line 24901").endsWith("line 25000");
    assertThat(fake.requests).hasSize(1);
    assertThat(fake.requests.get(0).startFromHead()).isFalse();
    assertThat(fake.requests.get(0).limit()).isEqualTo(100);
    assertThat(logs.tail(GROUP, "gone", 100)).isEmpty();
  }

  @Test
  void eachReadFetchesOnlyWhatIsNewFromTheTokenTheLastOneEndedWith() {
    FakeLogs fake = new FakeLogs(10_000);
    fake.streams.put(GROUP + "|s1", lines);
    BatchJobLogs logs = new BatchJobLogs(fake);
    print(0, 25_001);

    LogChunk first = read(logs, "s1");

    assertThat(first.caughtUp()).isTrue();
    assertThat(first.text().lines().count()).isEqualTo(25_001);
    assertThat(fake.requests)
        .as("from the head, page after page while the token changes, then once more")
        .extracting(GetLogEventsRequest::nextToken)
        .containsExactly(null, "f/10000", "f/20000", "f/25001");
    assertThat(fake.requests).allMatch(GetLogEventsRequest::startFromHead);

    fake.requests.clear();
    LogChunk nothingNew = read(logs, "s1");
    assertThat(nothingNew.text()).isEmpty();
    assertThat(nothingNew.caughtUp()).isTrue();
    assertThat(fake.requests)
        .as("one call that answers the same token")
        .extracting(GetLogEventsRequest::nextToken)
        .containsExactly("f/25001");

    fake.requests.clear();
    print(25_001, 25_004);
    LogChunk more = read(logs, "s1");
    assertThat(more.text()).isEqualTo("line 25001\nline 25002\nline 25003\n");
    assertThat(fake.requests)
        .extracting(GetLogEventsRequest::nextToken)
        .containsExactly("f/25001", "f/25004");
    assertThat(received.toString().lines().toList())
        .as("every line once, in order")
        .isEqualTo(lines);
  }

  @Test
  void oneReadFetchesAtMostItsPagesAndTheNextGoesOnFromThere() {
    FakeLogs fake = new FakeLogs(10);
    fake.streams.put(GROUP + "|s1", lines);
    BatchJobLogs logs = new BatchJobLogs(fake);
    print(0, 250);

    LogChunk first = read(logs, "s1");

    assertThat(fake.calls).isEqualTo(BatchJobLogs.MAX_PAGES_PER_READ);
    assertThat(first.caughtUp()).as("more to come").isFalse();
    assertThat(first.text().lines().count()).isEqualTo(10L * BatchJobLogs.MAX_PAGES_PER_READ);
    while (!read(logs, "s1").caughtUp()) {
      // the follower's next turns
    }
    assertThat(received.toString().lines().toList()).isEqualTo(lines);
  }

  @Test
  void aStreamInBatchsDefaultGroupIsFollowedThere() {
    FakeLogs fake = new FakeLogs(100);
    fake.streams.put(BatchJobLogs.BATCH_DEFAULT_GROUP + "|s2", lines);
    BatchJobLogs logs = new BatchJobLogs(fake);
    print(0, 3);
    read(logs, "s2");
    fake.requests.clear();
    print(3, 5);

    read(logs, "s2");

    assertThat(fake.requests)
        .as("no more asking the configured group")
        .extracting(GetLogEventsRequest::logGroupName)
        .containsOnly(BatchJobLogs.BATCH_DEFAULT_GROUP);
    assertThat(received.toString().lines().toList()).isEqualTo(lines);
    assertThat(logs.readAfter(GROUP, "nowhere", LogPosition.START)).isEmpty();
  }

  @Test
  void anotherAttemptsStreamIsReadFromItsHead() {
    FakeLogs fake = new FakeLogs(100);
    fake.streams.put(GROUP + "|attempt-1", new ArrayList<>(List.of("first try")));
    fake.streams.put(GROUP + "|attempt-2", new ArrayList<>(List.of("second try")));
    BatchJobLogs logs = new BatchJobLogs(fake);
    read(logs, "attempt-1");

    LogChunk second = read(logs, "attempt-2");

    assertThat(second.text()).isEqualTo("second try\n");
    assertThat(received.toString()).isEqualTo("first try\nsecond try\n");
  }
}
