package io.batchexecutor.workflow;

import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskRepository;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/** Workflows in PostgreSQL; their tasks are written through {@link TaskRepository}. */
@Repository
public class WorkflowRepository {

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final TaskRepository tasks;

  public WorkflowRepository(JdbcClient jdbc, TransactionTemplate tx, TaskRepository tasks) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.tasks = tasks;
  }

  /** Stores the workflow and all its tasks in one transaction: all of it, or nothing. */
  public void insert(Workflow workflow, List<Task> workflowTasks) {
    insert(workflow, workflowTasks, null, null);
  }

  /** A workflow stored before under the same idempotency key, with the hash of its request. */
  public record Earlier(Workflow workflow, String requestHash) {}

  /**
   * Stores the workflow and all its tasks in one transaction, unless the owner stored one under
   * {@code idempotencyKey} before: then nothing is written and that one is returned.
   */
  public Optional<Earlier> insert(
      Workflow workflow, List<Task> workflowTasks, String idempotencyKey, String requestHash) {
    return tx.execute(
        status -> {
          int rows =
              jdbc.sql(
                      """
                      INSERT INTO workflow (id, owner, name, created_at, idempotency_key, request_hash)
                      VALUES (:id, :owner, :name, :at, :key, :hash)
                      ON CONFLICT (owner, idempotency_key) DO NOTHING
                      """)
                  .param("id", workflow.id())
                  .param("owner", workflow.owner())
                  .param("name", workflow.name())
                  .param("at", ts(workflow.createdAt()))
                  .param("key", idempotencyKey)
                  .param("hash", requestHash)
                  .update();
          if (rows == 0) {
            return jdbc.sql(
                    "SELECT * FROM workflow WHERE owner = :owner AND idempotency_key = :key")
                .param("owner", workflow.owner())
                .param("key", idempotencyKey)
                .query((rs, n) -> new Earlier(map(rs, n), rs.getString("request_hash")))
                .optional();
          }
          tasks.insertAll(workflowTasks);
          return Optional.<Earlier>empty();
        });
  }

  /** One page of an owner's workflows, newest first. */
  public List<Workflow> list(String owner, int page, int size) {
    return jdbc.sql(
            """
            SELECT * FROM workflow WHERE owner = :owner
            ORDER BY created_at DESC, id DESC LIMIT :size OFFSET :offset
            """)
        .param("owner", owner)
        .param("size", size)
        .param("offset", (long) page * size)
        .query(WorkflowRepository::map)
        .list();
  }

  public long count(String owner) {
    return jdbc.sql("SELECT count(*) FROM workflow WHERE owner = :owner")
        .param("owner", owner)
        .query(Long.class)
        .single();
  }

  /** The workflow if it exists and belongs to {@code owner}. */
  public Optional<Workflow> findOwned(UUID id, String owner) {
    return jdbc.sql("SELECT * FROM workflow WHERE id = :id AND owner = :owner")
        .param("id", id)
        .param("owner", owner)
        .query(WorkflowRepository::map)
        .optional();
  }

  /** Records that the workflow was cancelled (the first time counts). */
  public void markCancelRequested(UUID id, Instant at) {
    jdbc.sql(
            """
            UPDATE workflow SET cancel_requested_at = coalesce(cancel_requested_at, :at)
            WHERE id = :id
            """)
        .param("at", ts(at))
        .param("id", id)
        .update();
  }

  private static Workflow map(ResultSet rs, int row) throws SQLException {
    return new Workflow(
        rs.getObject("id", UUID.class),
        rs.getString("owner"),
        rs.getString("name"),
        instant(rs, "created_at"),
        instant(rs, "cancel_requested_at"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  private static OffsetDateTime ts(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }
}
