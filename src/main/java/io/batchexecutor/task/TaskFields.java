package io.batchexecutor.task;

import io.batchexecutor.config.TaskSettings;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Builds a task field by field: from its stored row ({@link TaskRows}), or as a newly accepted task
 * ({@link Task#accept}, {@link Task#acceptInWorkflow}).
 */
final class TaskFields {
  UUID id;
  String owner;
  String name;
  TaskSpec spec;
  TaskSettings settings;
  String backend;
  Instant createdAt;
  Instant cancelRequestedAt;
  String cancelReason;
  UUID workflowId;
  String workflowKey;
  Map<String, UUID> dependsOn;
  UUID subWorkflowOutput;
  long version;
  TaskStatus status;
  String statusReason;
  String imageRef;
  String jobDefinitionArn;
  String batchJobId;
  String containerId;
  String logStreamName;
  int attempts;
  Integer exitCode;
  String objectPrefix;
  String resultPointer;
  Map<String, String> resultDigests;
  String logsPointer;
  TaskError error;
  Instant updatedAt;
  Instant finishedAt;
  Instant unreachableSince;
  int unreachableTries;
  UUID reusedFrom;

  /** What every newly accepted task starts with; its status is the caller's to set. */
  static TaskFields accepted(
      UUID id,
      String owner,
      String name,
      TaskSpec spec,
      TaskSettings settings,
      String backend,
      Instant at) {
    TaskFields b = new TaskFields();
    b.id = id;
    b.owner = owner;
    b.name = name;
    b.spec = spec;
    b.settings = settings;
    b.backend = backend;
    b.objectPrefix = TaskObjects.prefixFor(owner, id);
    b.createdAt = at;
    b.updatedAt = at;
    return b;
  }

  Task build() {
    return new Task(this);
  }
}
