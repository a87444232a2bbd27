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
  private final TaskEventRows eventRows;

  TaskQueries(JdbcClient jdbc, TaskRows rows, TaskEventRows eventRows) {
    this.jdbc = jdbc;
    this.rows = rows;
    this.eventRows = eventRows;
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

  /**
   * Up to {@code limit} of an owner's tasks, newest first ({@code created_at DESC, id DESC}),
   * optionally of one status, after {@code after} unless null. Read from {@code task_owner_created}
   * or {@code task_owner_status_created} in their order, so it reads no more rows than it returns.
   */
  public List<Task> page(String owner, TaskStatus status, PageCursor after, int limit) {
    String sql =
        "SELECT * FROM task WHERE owner = :owner"
            + (status == null ? "" : " AND status = :status")
            + (after == null ? "" : " AND (created_at, id) < (:at, :id)")
            + " ORDER BY created_at DESC, id DESC LIMIT :limit";
    JdbcClient.StatementSpec statement = jdbc.sql(sql).param("owner", owner).param("limit", limit);
    if (status != null) {
      statement = statement.param("status", status.name());
    }
    if (after != null) {
      statement = statement.param("at", ts(after.createdAt())).param("id", after.id());
    }
    return statement.query(rows.task).list();
  }

  /**
   * Up to {@code limit} of an owner's tasks, newest first, optionally of one status, after skipping
   * {@code offset} of them: reads {@code offset} rows more than it returns, so callers bound it.
   */
  public List<Task> list(String owner, TaskStatus status, long offset, int limit) {
    String sql =
        "SELECT * FROM task WHERE owner = :owner"
            + (status == null ? "" : " AND status = :status")
            + " ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset";
    JdbcClient.StatementSpec statement =
        jdbc.sql(sql).param("owner", owner).param("limit", limit).param("offset", offset);
    if (status != null) {
      statement = statement.param("status", status.name());
    }
    return statement.query(rows.task).list();
  }

  /** How many tasks {@code owner} has, optionally of one status; see {@link #countByStatus}. */
  public long count(String owner, TaskStatus status) {
    if (status == null) {
      return countByStatus(owner).values().stream().mapToLong(Long::longValue).sum();
    }
    if (status.isFinal()) {
      return jdbc.sql(
              "SELECT coalesce(sum(n), 0) FROM task_finished_count"
                  + " WHERE owner = :owner AND status = :status")
          .param("owner", owner)
          .param("status", status.name())
          .query(Long.class)
          .single();
    }
    return jdbc.sql(
            "SELECT count(*) FROM task WHERE owner = :owner AND status = :status AND "
                + TaskRows.NOT_FINAL)
        .param("owner", owner)
        .param("status", status.name())
        .query(Long.class)
        .single();
  }

  /**
   * How many tasks {@code owner} has in each status (statuses with none left out), exactly: the
   * unfinished ones counted in the partial index {@code task_unfinished_owner_status} (as many
   * entries as the owner has in flight), the finished ones summed from {@code task_finished_count}
   * (a few rows per status, kept by triggers on task). Neither grows with the owner's history.
   */
  public Map<TaskStatus, Long> countByStatus(String owner) {
    Map<TaskStatus, Long> counts = new EnumMap<>(TaskStatus.class);
    jdbc.sql(
            """
            SELECT status, count(*) AS n FROM task
            WHERE owner = :owner AND %s GROUP BY status
            UNION ALL
            SELECT status, sum(n) AS n FROM task_finished_count
            WHERE owner = :owner GROUP BY status HAVING sum(n) > 0
            """
                .formatted(TaskRows.NOT_FINAL))
        .param("owner", owner)
        .query(
            (RowCallbackHandler)
                rs -> counts.put(TaskStatus.valueOf(rs.getString("status")), rs.getLong("n")));
    return counts;
  }

  /**
   * How many tasks there are in each status (statuses with none left out), of every owner: the same
   * two sources as {@link #countByStatus(String)}, so its cost is the tasks in flight and a few
   * rows per owner, whatever the history.
   */
  public Map<TaskStatus, Long> countByStatus() {
    Map<TaskStatus, Long> counts = new EnumMap<>(TaskStatus.class);
    jdbc.sql(
            """
            SELECT status, count(*) AS n FROM task WHERE %s GROUP BY status
            UNION ALL
            SELECT status, sum(n) AS n FROM task_finished_count GROUP BY status HAVING sum(n) > 0
            """
                .formatted(TaskRows.NOT_FINAL))
        .query(
            (RowCallbackHandler)
                rs -> counts.put(TaskStatus.valueOf(rs.getString("status")), rs.getLong("n")));
    return counts;
  }

  /** A task's history, oldest first. */
  public List<TaskEvent> events(UUID taskId) {
    return jdbc.sql("SELECT * FROM task_event WHERE task_id = :id ORDER BY id")
        .param("id", taskId)
        .query(eventRows.event)
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

  /** How many tasks a workflow has (its index entries counted, no row read whole). */
  public long countInWorkflow(UUID workflowId) {
    return jdbc.sql("SELECT count(*) FROM task WHERE workflow_id = :id")
        .param("id", workflowId)
        .query(Long.class)
        .single();
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

  /**
   * Those of {@code holders} whose result a task other than {@code going} reuses, counting only
   * tasks whose workflow is not being deleted (its deletion decides for its own tasks).
   */
  public Set<UUID> stillReused(Collection<UUID> holders, Collection<UUID> going) {
    return Set.copyOf(
        jdbc.sql(
                """
                SELECT DISTINCT t.reused_from FROM task t
                WHERE t.reused_from = ANY(:holders) AND NOT (t.id = ANY(:going))
                  AND NOT EXISTS (SELECT 1 FROM workflow w
                                  WHERE w.id = t.workflow_id AND w.deleting_since IS NOT NULL)
                """)
            .param("holders", holders.toArray(UUID[]::new))
            .param("going", going.toArray(UUID[]::new))
            .query(UUID.class)
            .list());
  }

  /** Those of {@code ids} that are tasks still stored, in no workflow being deleted. */
  public Set<UUID> staying(Collection<UUID> ids) {
    return Set.copyOf(
        jdbc.sql(
                """
                SELECT t.id FROM task t WHERE t.id = ANY(:ids)
                  AND NOT EXISTS (SELECT 1 FROM workflow w
                                  WHERE w.id = t.workflow_id AND w.deleting_since IS NOT NULL)
                """)
            .param("ids", ids.toArray(UUID[]::new))
            .query(UUID.class)
            .list());
  }
}
