package io.batchexecutor.backend.awsbatch;

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

  Optional<String> read(String group, String stream) {
    Optional<String> text = readGroup(group, stream);
    return text.isPresent() || BATCH_DEFAULT_GROUP.equals(group)
        ? text
        : readGroup(BATCH_DEFAULT_GROUP, stream);
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
        for (OutputLogEvent event : response.events()) {
          out.append(event.message());
          if (!event.message().endsWith("\n")) {
            out.append('\n');
          }
        }
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
