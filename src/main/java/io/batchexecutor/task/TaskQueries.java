package io.batchexecutor.task;

import static io.batchexecutor.task.TaskRows.ts;

import java.time.Instant;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** What is asked of the stored tasks without changing them: pages, counts, histories, lookups. */
@Repository
public class TaskQueries {

  private final JdbcClient jdbc;
  private final TaskRows rows;

  TaskQueries(JdbcClient jdbc, TaskRows rows) {
    this.jdbc = jdbc;
    this.rows = rows;
  }

  /** The task, if it exists. */
  public Optional<Task> find(UUID id) {
    return jdbc.sql("SELECT * FROM task WHERE id = :id")
        .param("id", id)
        .query(rows.task)
        .optional();
  }

  /** The task if it exists and belongs to {@code owner}. */
  public Optional<Task> findOwned(UUID id, String owner) {
    return jdbc.sql("SELECT * FROM task WHERE id = :id AND owner = :owner")
        .param("id", id)
        .param("owner", owner)
        .query(rows.task)
        .optional();
  }

  /** The tasks with these ids that exist. */
  public List<Task> findAll(Collection<UUID> ids) {
    if (ids.isEmpty()) {
      return List.of();
    }
    return jdbc.sql("SELECT * FROM task WHERE id = ANY(:ids)")
        .param("ids", ids.toArray(UUID[]::new))
        .query(rows.task)
        .list();
  }

  /** One page of an owner's tasks, newest first, optionally of one status. */
  public List<Task> list(String owner, TaskStatus status, int page, int size) {
    return jdbc.sql(
            """
            SELECT * FROM task
            WHERE owner = :owner AND (CAST(:status AS text) IS NULL OR status = :status)
            ORDER BY created_at DESC, id DESC
            LIMIT :size OFFSET :offset
            """)
        .param("owner", owner)
        .param("status", status == null ? null : status.name())
        .param("size", size)
        .param("offset", (long) page * size)
        .query(rows.task)
        .list();
  }

  /** How many tasks {@code owner} has, optionally of one status. */
  public long count(String owner, TaskStatus status) {
    return jdbc.sql(
            """
            SELECT count(*) FROM task
            WHERE owner = :owner AND (CAST(:status AS text) IS NULL OR status = :status)
            """)
        .param("owner", owner)
        .param("status", status == null ? null : status.name())
        .query(Long.class)
        .single();
  }

  /**
   * How many tasks {@code owner} has in each status (statuses with none left out); one pass over
   * the owner's part of the {@code (owner, status, ...)} index.
   */
  public Map<TaskStatus, Long> countByStatus(String owner) {
    Map<TaskStatus, Long> counts = new EnumMap<>(TaskStatus.class);
    jdbc.sql("SELECT status, count(*) AS n FROM task WHERE owner = :owner GROUP BY status")
        .param("owner", owner)
        .query(
            (RowCallbackHandler)
                rs -> counts.put(TaskStatus.valueOf(rs.getString("status")), rs.getLong("n")));
    return counts;
  }

  /** How many tasks there are in each status (statuses with none left out). */
  public Map<TaskStatus, Long> countByStatus() {
    Map<TaskStatus, Long> counts = new EnumMap<>(TaskStatus.class);
    jdbc.sql("SELECT status, count(*) AS n FROM task GROUP BY status")
        .query(
            (RowCallbackHandler)
                rs -> counts.put(TaskStatus.valueOf(rs.getString("status")), rs.getLong("n")));
    return counts;
  }

  /** A task's history, oldest first. */
  public List<TaskEvent> events(UUID taskId) {
    return jdbc.sql("SELECT * FROM task_event WHERE task_id = :id ORDER BY id")
        .param("id", taskId)
        .query(rows.event)
        .list();
  }

  /** Those of these tasks that are final. */
  public Set<UUID> endedAmong(Collection<UUID> ids) {
    if (ids.isEmpty()) {
      return Set.of();
    }
    return Set.copyOf(
        jdbc.sql("SELECT id FROM task WHERE id = ANY(:ids) AND status IN " + TaskStatus.FINAL_SQL)
            .param("ids", ids.toArray(UUID[]::new))
            .query(UUID.class)
            .list());
  }

  /** The tasks of a workflow, in the order they were submitted. */
  public List<Task> inWorkflow(UUID workflowId) {
    return jdbc.sql("SELECT * FROM task WHERE workflow_id = :id ORDER BY created_at, id")
        .param("id", workflowId)
        .query(rows.task)
        .list();
  }

  /** Up to {@code limit} tasks of no workflow that ended before {@code cutoff}, oldest first. */
  public List<Task> finishedAloneBefore(Instant cutoff, int limit) {
    return jdbc.sql(
            """
            SELECT * FROM task
            WHERE finished_at IS NOT NULL AND workflow_id IS NULL AND finished_at < :cutoff
            ORDER BY finished_at LIMIT :limit
            """)
        .param("cutoff", ts(cutoff))
        .param("limit", limit)
        .query(rows.task)
        .list();
  }
}
