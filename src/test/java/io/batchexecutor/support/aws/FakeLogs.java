package io.batchexecutor.support.aws;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * CloudWatch Logs (JSON 1.1): every log group asked for exists, and a log stream is the output of
 * the job container that wrote it ({@link #append}), paged by a forward token.
 */
final class FakeLogs {

  private final Map<String, List<String>> streams = new ConcurrentHashMap<>();

  boolean speaks(String target) {
    return target.startsWith("Logs_");
  }

  /** Adds a container's output lines to stream {@code stream}. */
  void append(String stream, List<String> lines) {
    streams.merge(
        stream,
        List.copyOf(lines),
        (a, b) -> {
          List<String> all = new ArrayList<>(a);
          all.addAll(b);
          return all;
        });
  }

  AwsAnswer answer(String operation, JsonNode request) {
    String type = AwsAnswer.JSON_1_1;
    return switch (operation) {
      case "DescribeLogGroups" -> {
        ObjectNode answer = AwsAnswer.JSON.createObjectNode();
        answer
            .putArray("logGroups")
            .addObject()
            .put("logGroupName", request.path("logGroupNamePrefix").asString());
        yield AwsAnswer.ok(answer, type);
      }
      case "GetLogEvents" -> {
        List<String> lines = streams.get(request.path("logStreamName").asString());
        if (lines == null) {
          yield AwsAnswer.error(400, "ResourceNotFoundException", "no such log stream", type);
        }
        int from =
            request.hasNonNull("nextToken")
                ? Integer.parseInt(request.path("nextToken").asString().substring(2))
                : 0;
        ObjectNode answer = AwsAnswer.JSON.createObjectNode();
        ArrayNode events = answer.putArray("events");
        long now = System.currentTimeMillis();
        for (int i = from; i < lines.size(); i++) {
          events
              .addObject()
              .put("timestamp", now)
              .put("ingestionTime", now)
              .put("message", lines.get(i));
        }
        answer.put("nextForwardToken", "f/" + lines.size());
        answer.put("nextBackwardToken", "b/0");
        yield AwsAnswer.ok(answer, type);
      }
      default ->
          AwsAnswer.error(400, "InvalidAction", "the fake Logs does not speak " + operation, type);
    };
  }
}
