package io.batchexecutor.support.aws;

import com.github.dockerjava.api.DockerClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import tools.jackson.databind.node.ObjectNode;

/** A job the fake Batch received, and what became of it, as DescribeJobs shows it. */
final class FakeBatchJob {

  final String id;
  final ObjectNode request;
  final CountDownLatch gate;
  final long createdAt = System.currentTimeMillis();
  volatile String status = "SUBMITTED";
  volatile String statusReason;
  volatile Integer exitCode;
  volatile String containerId;
  volatile String logStream;
  volatile boolean terminated;
  volatile Map<String, Integer> summary;
  volatile Long startedAt;
  volatile Long stoppedAt;

  /** An array job's children by index, as DescribeJobs of {@code <id>:<index>} shows them. */
  final Map<String, ObjectNode> children = new ConcurrentHashMap<>();

  FakeBatchJob(String id, ObjectNode request, CountDownLatch gate) {
    this.id = id;
    this.request = request;
    this.gate = gate;
  }

  String name() {
    return request.path("jobName").asString();
  }

  boolean ended() {
    return "SUCCEEDED".equals(status) || "FAILED".equals(status);
  }

  /** TerminateJob: a running container is killed, a job not started yet fails at once. */
  synchronized void terminate(String reason, DockerClient docker) {
    terminated = true;
    statusReason = reason;
    if (containerId != null) {
      try {
        docker.killContainerCmd(containerId).exec();
      } catch (RuntimeException e) {
        // already ended
      }
    } else if (!ended()) {
      status = "FAILED";
    }
  }

  ObjectNode detail() {
    ObjectNode detail =
        AwsAnswer.JSON
            .createObjectNode()
            .put("jobId", id)
            .put("jobName", name())
            .put("jobArn", FakeBatchApi.arn("job/" + id))
            .put("jobQueue", request.path("jobQueue").asString())
            .put("jobDefinition", request.path("jobDefinition").asString())
            .put("status", status)
            .put("createdAt", createdAt);
    if (startedAt != null) {
      detail.put("startedAt", startedAt);
    }
    if (stoppedAt != null) {
      detail.put("stoppedAt", stoppedAt);
    }
    if (statusReason != null) {
      detail.put("statusReason", statusReason);
    }
    ObjectNode container = detail.putObject("container");
    if (logStream != null) {
      container.put("logStreamName", logStream);
    }
    if (summary != null) {
      ObjectNode array = detail.putObject("arrayProperties");
      array.put("size", summary.values().stream().mapToInt(Integer::intValue).sum());
      ObjectNode counts = array.putObject("statusSummary");
      summary.forEach(counts::put);
    }
    if (exitCode != null) {
      container.put("exitCode", exitCode);
      ObjectNode attempt = detail.putArray("attempts").addObject();
      attempt.putObject("container").put("exitCode", exitCode).put("logStreamName", logStream);
      if (statusReason != null) {
        attempt.put("statusReason", statusReason);
      }
    }
    return detail;
  }
}
