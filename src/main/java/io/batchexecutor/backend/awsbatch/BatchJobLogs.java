package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.backend.LogChunk;
import io.batchexecutor.backend.LogPosition;
import java.util.Optional;
import java.util.function.Function;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;

/**
 * A job's output from its CloudWatch stream: every page (a page holds at most 10,000 events), from
 * the configured group, else from AWS Batch's default group {@code /aws/batch/job}.
 */
class BatchJobLogs {

  static final String BATCH_DEFAULT_GROUP = "/aws/batch/job";
  private static final int MAX_PAGES = 10_000;

  private final CloudWatchLogsClient logs;

  BatchJobLogs(CloudWatchLogsClient logs) {
    this.logs = logs;
  }

  /**
   * How many pages one read after a position fetches at most (each at most 10,000 events or 1 MB,
   * CloudWatch's limits for one call); a follower reads the rest on its next turn.
   */
  static final int MAX_PAGES_PER_READ = 10;

  /** The whole stream: every page, in the configured group, else in Batch's default group. */
  Optional<String> read(String group, String stream) {
    return inGroup(group, g -> pages(g, stream, null, MAX_PAGES)).map(Pages::text);
  }

  /**
   * What was added to the stream after {@code from}: from the head of the stream at first (in the
   * configured group, else in Batch's default group), then from the forward token the last page
   * gave, at most {@link #MAX_PAGES_PER_READ} pages. Empty when there is no such stream.
   */
  Optional<LogChunk> readAfter(String group, String stream, LogPosition from) {
    for (String g : new String[] {group, BATCH_DEFAULT_GROUP}) {
      if (source(g, stream).equals(from.source())) {
        return pages(g, stream, from.cursor(), MAX_PAGES_PER_READ).map(p -> p.chunk(g, from));
      }
    }
    return inGroup(
        group, g -> pages(g, stream, null, MAX_PAGES_PER_READ).map(p -> p.chunk(g, from)));
  }

  /** What {@code read} finds in {@code group}, else in Batch's default group. */
  private static <T> Optional<T> inGroup(String group, Function<String, Optional<T>> read) {
    Optional<T> found = read.apply(group);
    return found.isPresent() || BATCH_DEFAULT_GROUP.equals(group)
        ? found
        : read.apply(BATCH_DEFAULT_GROUP);
  }

  /** How a position names a stream: its group and name (a group's name has no spaces). */
  private static String source(String group, String stream) {
    return group + " " + stream;
  }

  /**
   * Pages read in one go: their text, the token to go on from, whether the stream's end was met.
   */
  private record Pages(String text, String token, boolean caughtUp, String stream) {
    LogChunk chunk(String group, LogPosition from) {
      return from.next(source(group, stream), text, token, caughtUp);
    }
  }

  /**
   * Up to {@code maxPages} pages from {@code token} (the head when null), page after page while the
   * forward token changes (CloudWatch answers the token it was given when nothing is new); empty
   * when there is no such stream.
   */
  private Optional<Pages> pages(String group, String stream, String token, int maxPages) {
    StringBuilder out = new StringBuilder();
    boolean caughtUp = false;
    try {
      for (int page = 0; page < maxPages && !caughtUp; page++) {
        String current = token;
        GetLogEventsResponse response =
            logs.getLogEvents(
                b ->
                    b.logGroupName(group)
                        .logStreamName(stream)
                        .startFromHead(true)
                        .nextToken(current));
        append(out, response);
        String next = response.nextForwardToken();
        caughtUp = next == null || next.equals(token);
        if (next != null) {
          token = next;
        }
      }
    } catch (ResourceNotFoundException e) {
      return Optional.empty();
    }
    return Optional.of(new Pages(out.toString(), token, caughtUp, stream));
  }

  /**
   * The last {@code lines} events of a stream (each a line), in one call from its end (CloudWatch
   * answers at most 10,000 events and 1 MB at once); empty when there is no such stream.
   */
  Optional<String> tail(String group, String stream, int lines) {
    if (lines <= 0) {
      return Optional.of("");
    }
    try {
      GetLogEventsResponse response =
          logs.getLogEvents(
              b ->
                  b.logGroupName(group)
                      .logStreamName(stream)
                      .startFromHead(false)
                      .limit(Math.min(lines, 10_000)));
      StringBuilder out = new StringBuilder();
      append(out, response);
      return Optional.of(out.toString());
    } catch (ResourceNotFoundException e) {
      return Optional.empty();
    }
  }

  /** The page's events, each a line. */
  private static void append(StringBuilder out, GetLogEventsResponse response) {
    for (OutputLogEvent event : response.events()) {
      out.append(event.message());
      if (!event.message().endsWith("\n")) {
        out.append('\n');
      }
    }
  }
}
