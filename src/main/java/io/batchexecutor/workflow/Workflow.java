package io.batchexecutor.workflow;

import java.time.Instant;
import java.util.UUID;

/**
 * Tasks submitted together, whose results feed each other. The workflow keeps who submitted it and
 * whether it was cancelled; everything else (its status, its outputs) follows from its tasks.
 */
public record Workflow(
    UUID id, String owner, String name, Instant createdAt, Instant cancelRequestedAt) {

  public boolean cancelRequested() {
    return cancelRequestedAt != null;
  }
}
