package io.batchexecutor.backend.awsbatch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.DescribeLogGroupsRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.DescribeLogGroupsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.LogGroup;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;

/** CloudWatch Logs in memory, serving streams in pages as the real service does. */
class FakeLogs implements CloudWatchLogsClient {

  final Map<String, List<String>> streams = new HashMap<>(); // "group|stream" -> messages
  final int pageSize;
  final List<GetLogEventsRequest> requests = new ArrayList<>();
  int calls;

  FakeLogs(int pageSize) {
    this.pageSize = pageSize;
  }

  @Override
  public GetLogEventsResponse getLogEvents(GetLogEventsRequest request) {
    calls++;
    requests.add(request);
    List<String> messages = streams.get(request.logGroupName() + "|" + request.logStreamName());
    if (messages == null) {
      throw ResourceNotFoundException.builder()
          .message("The specified log group does not exist.")
          .build();
    }
    int from = request.nextToken() == null ? 0 : Integer.parseInt(request.nextToken().substring(2));
    int to = Math.min(messages.size(), from + pageSize);
    if (Boolean.FALSE.equals(request.startFromHead()) && request.nextToken() == null) {
      // from the end: the last events, at most the limit (10,000 when none is given)
      int limit = request.limit() == null ? 10_000 : request.limit();
      to = messages.size();
      from = Math.max(0, to - Math.min(limit, pageSize));
    }
    List<OutputLogEvent> events = new ArrayList<>();
    for (String m : messages.subList(from, to)) {
      events.add(OutputLogEvent.builder().message(m).build());
    }
    return GetLogEventsResponse.builder().events(events).nextForwardToken("f/" + to).build();
  }

  @Override
  public DescribeLogGroupsResponse describeLogGroups(DescribeLogGroupsRequest request) {
    return DescribeLogGroupsResponse.builder()
        .logGroups(
            streams.keySet().stream()
                .map(k -> k.substring(0, k.indexOf('|')))
                .distinct()
                .filter(g -> g.startsWith(request.logGroupNamePrefix()))
                .map(g -> LogGroup.builder().logGroupName(g).build())
                .toList())
        .build();
  }

  @Override
  public String serviceName() {
    return "logs";
  }

  @Override
  public void close() {}
}
