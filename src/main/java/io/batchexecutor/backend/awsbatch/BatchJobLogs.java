package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.backend.LogChunk;
import io.batchexecutor.backend.LogPosition;
import java.util.Optional;
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

  Optional<String> read(String group, String stream) {
    Optional<String> text = readGroup(group, stream);
    return text.isPresent() || BATCH_DEFAULT_GROUP.equals(group)
        ? text
        : readGroup(BATCH_DEFAULT_GROUP, stream);
  }

  /**
   * What was added to the stream after {@code from}: from the head of the stream at first (in the
   * configured group, else in Batch's default group), then from the forward token the last page
   * gave, page after page while the token changes (CloudWatch answers the token it was given when
   * nothing is new), at most {@link #MAX_PAGES_PER_READ} pages. Empty when there is no such stream.
   */
  Optional<LogChunk> readAfter(String group, String stream, LogPosition from) {
    for (String g : new String[] {group, BATCH_DEFAULT_GROUP}) {
      if (source(g, stream).equals(from.source())) {
        return pagesAfter(g, stream, from);
      }
    }
    Optional<LogChunk> chunk = pagesAfter(group, stream, from);
    return chunk.isPresent() || BATCH_DEFAULT_GROUP.equals(group)
        ? chunk
        : pagesAfter(BATCH_DEFAULT_GROUP, stream, from);
  }

  /** How a position names a stream: its group and name (a group's name has no spaces). */
  private static String source(String group, String stream) {
    return group + " " + stream;
  }

  private Optional<LogChunk> pagesAfter(String group, String stream, LogPosition from) {
    String source = source(group, stream);
    String token = source.equals(from.source()) ? from.cursor() : null;
    StringBuilder out = new StringBuilder();
    boolean caughtUp = false;
    try {
      for (int page = 0; page < MAX_PAGES_PER_READ && !caughtUp; page++) {
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
    return Optional.of(from.next(source, out.toString(), token, caughtUp));
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

  private Optional<String> readGroup(String group, String stream) {
    StringBuilder out = new StringBuilder();
    String token = null;
    try {
      for (int page = 0; page < MAX_PAGES; page++) {
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
        if (next == null || next.equals(token) || response.events().isEmpty()) {
          break;
        }
        token = next;
      }
    } catch (ResourceNotFoundException e) {
      return Optional.empty();
    }
    return Optional.of(out.toString());
  }
}
