package io.batchexecutor.backend.awsbatch.events;

import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the service takes from an EventBridge "Batch Job State Change" event: the job id, nothing
 * else. The status it carries is never believed (anyone allowed to send to the queue could write
 * one); the poller asks AWS Batch. An array job's child ({@code <parent>:<index>}) stands for its
 * parent, the job a task watches.
 */
final class BatchJobEvent {

  static final String SOURCE = "aws.batch";
  static final String DETAIL_TYPE = "Batch Job State Change";

  /** A Batch job id: a UUID as AWS writes it, at most 128 characters of these. */
  private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

  private BatchJobEvent() {}

  /** The job id of the event in {@code body}; empty when it is no Batch job state change. */
  static Optional<String> jobId(String body, JsonMapper json) {
    if (body == null || body.length() > 256 * 1024) {
      return Optional.empty();
    }
    JsonNode event;
    try {
      event = json.readTree(body);
    } catch (JacksonException e) {
      return Optional.empty();
    }
    if (event == null
        || !SOURCE.equals(event.path("source").asString(""))
        || !DETAIL_TYPE.equals(event.path("detail-type").asString(""))) {
      return Optional.empty();
    }
    JsonNode id = event.path("detail").path("jobId");
    if (!id.isString()) {
      return Optional.empty();
    }
    String job = id.asString();
    int child = job.indexOf(':');
    if (child > 0 && job.substring(child + 1).matches("[0-9]{1,5}")) {
      job = job.substring(0, child);
    }
    return JOB_ID.matcher(job).matches() ? Optional.of(job) : Optional.empty();
  }
}
