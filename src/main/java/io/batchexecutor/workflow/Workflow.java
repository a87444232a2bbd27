package io.batchexecutor.workflow;

import java.time.Instant;
import java.util.UUID;

/**
 * Tasks submitted together, whose results feed each other. The workflow keeps who submitted it and
 * whether it was cancelled; everything else (its status, its outputs) follows from its tasks. A
 * re-run names the run it was made from ({@code rerunOf}; null for a workflow submitted as such).
 */
public record Workflow(
    UUID id,
    String owner,
    String name,
    Instant createdAt,
    Instant cancelRequestedAt,
    UUID rerunOf) {

  /** A workflow submitted as such, not a re-run. */
  public Workflow(
      UUID id, String owner, String name, Instant createdAt, Instant cancelRequestedAt) {
    this(id, owner, name, createdAt, cancelRequestedAt, null);
  }

  public boolean cancelRequested() {
    return cancelRequestedAt != null;
  }
}
