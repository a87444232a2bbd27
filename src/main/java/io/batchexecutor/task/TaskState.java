package io.batchexecutor.task;

import io.batchexecutor.config.TaskSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What is known of a task, as read and as changed since: its fields and the accessors that read
 * them. {@link Task} adds the changes ({@code TaskHistory} the checked move and the recorded
 * facts); the fields that change are written only by its methods.
 */
abstract sealed class TaskState permits TaskHistory {

  private final UUID id;
  private final String owner;
  private final String name;
  private final TaskSpec spec;
  private final TaskSettings settings;
  private final String backend;
  private final String objectPrefix;
  private final Instant createdAt;
  private final UUID workflowId;
  private final String workflowKey;
  Map<String, UUID> dependsOn;
  UUID subWorkflowOutput;
  private final long version;
  private final UUID reusedFrom;

  Instant cancelRequestedAt;
  String cancelReason;
  TaskStatus status;
  String statusReason;
  String imageRef;
  String jobDefinitionArn;
  String batchJobId;
  String containerId;
  String logStreamName;
  int attempts;
  Integer exitCode;
  String resultPointer;
  Map<String, String> resultDigests;
  String logsPointer;
  TaskError error;
  Instant updatedAt;
  Instant finishedAt;
  Instant unreachableSince;
  int unreachableTries;
  final List<TaskEvent> pendingEvents = new ArrayList<>();
  final List<Task> pendingChildren = new ArrayList<>();

  TaskState(TaskFields b) {
    this.id = b.id;
    this.owner = b.owner;
    this.name = b.name;
    this.spec = b.spec;
    this.settings = b.settings;
    this.backend = b.backend;
    this.objectPrefix = b.objectPrefix;
    this.createdAt = b.createdAt;
    this.cancelRequestedAt = b.cancelRequestedAt;
    this.cancelReason = b.cancelReason;
    this.workflowId = b.workflowId;
    this.workflowKey = b.workflowKey;
    this.dependsOn = b.dependsOn == null ? Map.of() : Collections.unmodifiableMap(b.dependsOn);
    this.subWorkflowOutput = b.subWorkflowOutput;
    this.version = b.version;
    this.reusedFrom = b.reusedFrom;
    this.status = b.status;
    this.statusReason = b.statusReason;
    this.imageRef = b.imageRef;
    this.jobDefinitionArn = b.jobDefinitionArn;
    this.batchJobId = b.batchJobId;
    this.containerId = b.containerId;
    this.logStreamName = b.logStreamName;
    this.attempts = b.attempts;
    this.exitCode = b.exitCode;
    this.resultPointer = b.resultPointer;
    this.resultDigests = b.resultDigests == null ? Map.of() : Map.copyOf(b.resultDigests);
    this.logsPointer = b.logsPointer;
    this.error = b.error;
    this.updatedAt = b.updatedAt;
    this.finishedAt = b.finishedAt;
    this.unreachableSince = b.unreachableSince;
    this.unreachableTries = b.unreachableTries;
  }

  public UUID id() {
    return id;
  }

  public String owner() {
    return owner;
  }

  public String name() {
    return name;
  }

  public TaskSpec spec() {
    return spec;
  }

  public TaskSettings settings() {
    return settings;
  }

  public String backend() {
    return backend;
  }

  public TaskStatus status() {
    return status;
  }

  public String statusReason() {
    return statusReason;
  }

  public String imageRef() {
    return imageRef;
  }

  public String jobDefinitionArn() {
    return jobDefinitionArn;
  }

  public String batchJobId() {
    return batchJobId;
  }

  public String containerId() {
    return containerId;
  }

  public String logStreamName() {
    return logStreamName;
  }

  public int attempts() {
    return attempts;
  }

  public Integer exitCode() {
    return exitCode;
  }

  public String resultPointer() {
    return resultPointer;
  }

  /**
   * The SHA-256 (hex) of each result file the service collected ({@code result.json}, {@code
   * result.pickle}), by file name, as it was when collected; empty before, and for tasks that ended
   * before digests were kept.
   */
  public Map<String, String> resultDigests() {
    return resultDigests;
  }

  /**
   * The prefix of the task's objects as stored with it ({@code <prefix>/<client>/<id>/}); null for
   * a task stored before object keys carried the client (see {@link TaskObjects#prefix}).
   */
  public String objectPrefix() {
    return objectPrefix;
  }

  public String logsPointer() {
    return logsPointer;
  }

  public TaskError error() {
    return error;
  }

  public Instant createdAt() {
    return createdAt;
  }

  public Instant updatedAt() {
    return updatedAt;
  }

  public Instant finishedAt() {
    return finishedAt;
  }

  /** Since when the service the task's step needs has not answered; null when it answers. */
  public Instant unreachableSince() {
    return unreachableSince;
  }

  /** How many tries in a row found that service unreachable. */
  public int unreachableTries() {
    return unreachableTries;
  }

  public Instant cancelRequestedAt() {
    return cancelRequestedAt;
  }

  public boolean cancelRequested() {
    return cancelRequestedAt != null;
  }

  /** Why the cancel was requested (a failed dependency, say); null for a client's request. */
  public String cancelReason() {
    return cancelReason;
  }

  /** The workflow the task belongs to, or null. */
  public UUID workflowId() {
    return workflowId;
  }

  /** The task's key in its workflow, or null. */
  public String workflowKey() {
    return workflowKey;
  }

  /** The tasks whose results this one takes, by their workflow keys. */
  public Map<String, UUID> dependsOn() {
    return dependsOn;
  }

  /**
   * For a task born SUCCEEDED with an earlier task's result (a workflow's re-run), the task whose
   * objects hold that result; null for a task that ran.
   */
  public UUID reusedFrom() {
    return reusedFrom;
  }

  /** The version this object was read at; writes succeed only if it is still current. */
  public long version() {
    return version;
  }

  /** Events recorded since the task was read, not yet written. */
  /**
   * The task of this one's sub-workflow whose result becomes this one's value, once the function
   * returned a sub-workflow; null otherwise.
   */
  public UUID subWorkflowOutput() {
    return subWorkflowOutput;
  }

  /** The tasks of the sub-workflow this one returned, to be stored with its change. */
  public List<Task> pendingChildren() {
    return Collections.unmodifiableList(pendingChildren);
  }

  public List<TaskEvent> pendingEvents() {
    return Collections.unmodifiableList(pendingEvents);
  }
}
