package io.batchexecutor.support.aws;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * SQS as the SDK speaks it (AWS JSON 1.0, {@code X-Amz-Target: AmazonSQS.<operation>}): one queue,
 * filled by the test as an EventBridge rule would ({@link #send}); ReceiveMessage long-polls it and
 * hides what it returns until it is deleted or its 30 s visibility timeout passes; DeleteMessage
 * and DeleteMessageBatch delete by receipt handle. SQS's limits are refused as SQS refuses them:
 * 1-10 messages and 0-20 s of waiting a receive, 1-10 distinct entries with valid ids a batch.
 */
final class FakeSqs {

  static final String JSON_1_0 = "application/x-amz-json-1.0";
  static final long VISIBILITY_MILLIS = 30_000;

  private record InFlight(String id, String body, long visibleAgainAt) {}

  private final String queueUrl;
  private final Deque<String[]> visible = new ArrayDeque<>();
  private final Map<String, InFlight> inFlight = new ConcurrentHashMap<>();

  FakeSqs(String queueUrl) {
    this.queueUrl = queueUrl;
  }

  String queueUrl() {
    return queueUrl;
  }

  boolean speaks(String target) {
    return target.startsWith("AmazonSQS.");
  }

  /** Puts a message with {@code body} in the queue. */
  synchronized void send(String body) {
    visible.add(new String[] {UUID.randomUUID().toString(), body});
    notifyAll();
  }

  /** Messages not deleted yet, visible or not. */
  synchronized int left() {
    return visible.size() + inFlight.size();
  }

  AwsAnswer answer(String operation, JsonNode request) {
    if (!queueUrl.equals(request.path("QueueUrl").asString(""))) {
      return error(
          "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.");
    }
    return switch (operation) {
      case "ReceiveMessage" -> receive(request);
      case "DeleteMessage" -> {
        inFlight.remove(request.path("ReceiptHandle").asString(""));
        yield AwsAnswer.ok(AwsAnswer.JSON.createObjectNode(), JSON_1_0);
      }
      case "DeleteMessageBatch" -> deleteBatch(request);
      default -> error("InvalidAction", "the fake SQS does not speak " + operation);
    };
  }

  private AwsAnswer receive(JsonNode request) {
    int max = request.path("MaxNumberOfMessages").asInt(1);
    int wait = request.path("WaitTimeSeconds").asInt(0);
    if (max < 1 || max > 10) {
      return error(
          "InvalidParameterValue",
          "Value "
              + max
              + " for parameter MaxNumberOfMessages is invalid. Reason: Must be between"
              + " 1 and 10, if provided.");
    }
    if (wait < 0 || wait > 20) {
      return error(
          "InvalidParameterValue",
          "Value "
              + wait
              + " for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and"
              + " <= 20, if provided.");
    }
    ObjectNode answer = AwsAnswer.JSON.createObjectNode();
    ArrayNode messages = answer.putArray("Messages");
    synchronized (this) {
      long until = System.currentTimeMillis() + wait * 1000L;
      while (true) {
        long now = System.currentTimeMillis();
        inFlight
            .values()
            .removeIf(
                m -> {
                  if (m.visibleAgainAt() <= now) {
                    visible.addFirst(new String[] {m.id(), m.body()});
                    return true;
                  }
                  return false;
                });
        if (!visible.isEmpty() || now >= until) {
          break;
        }
        try {
          wait(Math.min(500, until - now));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      while (messages.size() < max && !visible.isEmpty()) {
        String[] m = visible.poll();
        String receipt = "rh-" + UUID.randomUUID();
        inFlight.put(
            receipt, new InFlight(m[0], m[1], System.currentTimeMillis() + VISIBILITY_MILLIS));
        messages
            .addObject()
            .put("MessageId", m[0])
            .put("ReceiptHandle", receipt)
            .put("MD5OfBody", md5(m[1]))
            .put("Body", m[1]);
      }
    }
    return AwsAnswer.ok(answer, JSON_1_0);
  }

  private AwsAnswer deleteBatch(JsonNode request) {
    JsonNode entries = request.path("Entries");
    if (entries.isEmpty()) {
      return error(
          "AWS.SimpleQueueService.EmptyBatchRequest",
          "There should be at least one DeleteMessageBatchRequestEntry in the request.");
    }
    if (entries.size() > 10) {
      return error(
          "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
          "Maximum number of entries per request are 10. You have sent " + entries.size() + ".");
    }
    Set<String> ids = new HashSet<>();
    for (JsonNode entry : entries) {
      String id = entry.path("Id").asString("");
      if (!id.matches("[A-Za-z0-9_-]{1,80}")) {
        return error(
            "AWS.SimpleQueueService.InvalidBatchEntryId",
            "A batch entry id can only contain alphanumeric characters, hyphens and underscores."
                + " It can be at most 80 letters long.");
      }
      if (!ids.add(id)) {
        return error("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id " + id + " repeated.");
      }
    }
    ObjectNode answer = AwsAnswer.JSON.createObjectNode();
    ArrayNode ok = answer.putArray("Successful");
    answer.putArray("Failed");
    for (JsonNode entry : entries) {
      inFlight.remove(entry.path("ReceiptHandle").asString(""));
      ok.addObject().put("Id", entry.path("Id").asString());
    }
    return AwsAnswer.ok(answer, JSON_1_0);
  }

  private static AwsAnswer error(String type, String message) {
    return AwsAnswer.error(400, type, message, JSON_1_0);
  }

  private static String md5(String body) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("MD5").digest(body.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
