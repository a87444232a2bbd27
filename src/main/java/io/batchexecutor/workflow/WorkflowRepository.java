package io.batchexecutor.workflow;

import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskQueries;
import io.batchexecutor.task.TaskRepository;
import io.batchexecutor.task.TaskStatus;
import io.batchexecutor.task.UnfinishedTasks;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/** Workflows in PostgreSQL; their tasks are written through {@link TaskRepository}. */
@Repository
public class WorkflowRepository {

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final TaskRepository tasks;
  private final TaskQueries queries;
  private final TransactionTemplate snapshot;
  private final UnfinishedTasks unfinished;

  public WorkflowRepository(
      JdbcClient jdbc,
      TransactionTemplate tx,
      TaskRepository tasks,
      TaskQueries queries,
      UnfinishedTasks unfinished) {
    this.unfinished = unfinished;
    this.queries = queries;
    this.jdbc = jdbc;
    this.tx = tx;
    this.tasks = tasks;
    TransactionTemplate readOnce = new TransactionTemplate(tx.getTransactionManager());
    readOnce.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
    readOnce.setReadOnly(true);
    this.snapshot = readOnce;
  }

  /** Stores the workflow and all its tasks in one transaction: all of it, or nothing. */
  public void insert(Workflow workflow, List<Task> workflowTasks) {
    insert(workflow, workflowTasks, null, null, 0);
  }

  /** A workflow stored before under the same idempotency key, with the hash of its request. */
  public record Earlier(Workflow workflow, String requestHash) {}

  /**
   * Stores the workflow and all its tasks in one transaction, unless the owner stored one under
   * {@code idempotencyKey} before: then nothing is written and that one is returned (never
   * refused). A new workflow whose tasks would pass the owner's {@code maxUnfinished} tasks not yet
   * ended (0: no limit), by this instance's estimate ({@link UnfinishedTasks#reserve}), is refused,
   * and nothing of it is written.
   */
  public Optional<Earlier> insert(
      Workflow workflow,
      List<Task> workflowTasks,
      String idempotencyKey,
      String requestHash,
      int maxUnfinished) {
    return tx.execute(
        status -> {
          int rows =
              jdbc.sql(
                      """
                      INSERT INTO workflow (id, owner, name, created_at, idempotency_key, request_hash,
                                            rerun_of)
                      VALUES (:id, :owner, :name, :at, :key, :hash, :rerunOf)
                      ON CONFLICT (owner, idempotency_key) DO NOTHING
                      """)
                  .param("id", workflow.id())
                  .param("owner", workflow.owner())
                  .param("name", workflow.name())
                  .param("at", ts(workflow.createdAt()))
                  .param("key", idempotencyKey)
                  .param("hash", requestHash)
                  .param("rerunOf", workflow.rerunOf())
                  .update();
          if (rows == 0) {
            return jdbc.sql(
                    "SELECT * FROM workflow WHERE owner = :owner AND idempotency_key = :key")
                .param("owner", workflow.owner())
                .param("key", idempotencyKey)
                .query((rs, n) -> new Earlier(map(rs, n), rs.getString("request_hash")))
                .optional();
          }
          // a re-run's reused tasks are born SUCCEEDED: only the others will run
          int running = (int) workflowTasks.stream().filter(t -> !t.status().isFinal()).count();
          if (maxUnfinished > 0 && running > 0) {
            unfinished.reserve(workflow.owner(), running, maxUnfinished);
          }
          tasks.insertAll(workflowTasks);
          return Optional.<Earlier>empty();
        });
  }

  /** Whether {@code owner} stored a workflow under {@code idempotencyKey} before. */
  public boolean hasIdempotencyKey(String owner, String idempotencyKey) {
    return idempotencyKey != null
        && !jdbc.sql("SELECT 1 FROM workflow WHERE owner = :owner AND idempotency_key = :key")
            .param("owner", owner)
            .param("key", idempotencyKey)
            .query()
            .listOfRows()
            .isEmpty();
  }

  /**
   * Each workflow with its status, task counts and end, all worked out from its tasks in the query.
   * The status follows {@link WorkflowStatus}: RUNNING while a task is neither final nor being
   * cancelled; then SUCCEEDED when all did, FAILED when one failed, CANCELLED when all ended or the
   * workflow was cancelled.
   */
  private static final String SUMMARIES =
      """
      SELECT w.*, s.* FROM workflow w
      CROSS JOIN LATERAL (
        SELECT
          CASE
            WHEN bool_or(t.status NOT IN %1$s AND t.cancel_requested_at IS NULL) THEN 'RUNNING'
            WHEN bool_and(t.status = 'SUCCEEDED') IS NOT FALSE THEN 'SUCCEEDED'
            WHEN bool_or(t.status = 'FAILED') THEN 'FAILED'
            WHEN bool_and(t.status IN %1$s) OR w.cancel_requested_at IS NOT NULL THEN 'CANCELLED'
            ELSE 'RUNNING'
          END AS summary_status,
          CASE WHEN bool_and(t.status IN %1$s) IS NOT FALSE THEN max(t.finished_at) END
            AS summary_finished_at,
          (SELECT string_agg(g.status || '=' || g.n, ',')
             FROM (SELECT status, count(*) AS n FROM task
                   WHERE workflow_id = w.id GROUP BY status) g) AS summary_counts
        FROM task t WHERE t.workflow_id = w.id
      ) s
      """
          .formatted(TaskStatus.FINAL_SQL);

  /** {@link #SUMMARIES} of one owner's workflows. */
  private static final String OWNED = SUMMARIES + " WHERE w.owner = :owner";

  /** {@link #SUMMARIES} of the workflows {@code source} (a query over workflow) selects. */
  static String summariesOf(String source) {
    return SUMMARIES.replace("FROM workflow w\n", "FROM (" + source + ") w\n");
  }

  /** Those of these workflows that are no longer RUNNING. */
  public Set<UUID> endedAmong(Collection<UUID> ids) {
    if (ids.isEmpty()) {
      return Set.of();
    }
    return Set.copyOf(
        jdbc.sql(
                "SELECT id FROM ("
                    + SUMMARIES
                    + " WHERE w.id = ANY(:ids)) x WHERE summary_status <> 'RUNNING'")
            .param("ids", ids.toArray(UUID[]::new))
            .query(UUID.class)
            .list());
  }

  /**
   * A workflow's summary, its tasks and its re-runs (oldest first), as they stood at one moment.
   */
  public record Detail(WorkflowSummary summary, List<Task> tasks, List<UUID> reruns) {}

  /** The workflow with its summary and tasks, if it exists and belongs to {@code owner}. */
  public Optional<Detail> detail(UUID id, String owner) {
    return snapshot.execute(
        status ->
            jdbc.sql(OWNED + " AND w.id = :id")
                .param("owner", owner)
                .param("id", id)
                .query(WorkflowRepository::summary)
                .optional()
                .map(
                    summary ->
                        new Detail(
                            summary,
                            queries.inWorkflow(id),
                            jdbc.sql(
                                    "SELECT id FROM workflow WHERE rerun_of = :id AND owner = :owner"
                                        + " ORDER BY created_at, id")
                                .param("id", id)
                                .param("owner", owner)
                                .query(UUID.class)
                                .list())));
  }

  /** The workflow if it exists and belongs to {@code owner}. */
  public Optional<Workflow> findOwned(UUID id, String owner) {
    return jdbc.sql("SELECT * FROM workflow WHERE id = :id AND owner = :owner")
        .param("id", id)
        .param("owner", owner)
        .query(WorkflowRepository::map)
        .optional();
  }

  /**
   * Up to {@code limit} workflows whose every task is final and ended before {@code cutoff}, the
   * oldest created first: a walk of the workflows made before the cutoff (one that ended before it
   * began before it), in the order of their index, each looked at through its own tasks, that stops
   * at {@code limit} — never a scan of every workflow's tasks.
   */
  public List<UUID> finishedBefore(Instant cutoff, int limit) {
    return jdbc.sql(
            """
            SELECT w.id FROM workflow w
            WHERE w.created_at < :cutoff
              AND EXISTS (SELECT 1 FROM task t WHERE t.workflow_id = w.id)
              AND NOT EXISTS (
                SELECT 1 FROM task t WHERE t.workflow_id = w.id
                  AND (t.status NOT IN %s OR t.finished_at >= :cutoff))
            ORDER BY w.created_at, w.id LIMIT :limit
            """
                .formatted(TaskStatus.FINAL_SQL))
        .param("cutoff", ts(cutoff))
        .param("limit", limit)
        .query(UUID.class)
        .list();
  }

  /**
   * Deletes the workflow with all its tasks and their history, if every task is still final.
   *
   * @return whether it was deleted
   */
  public boolean deleteFinished(UUID id) {
    return jdbc.sql(
                """
                DELETE FROM workflow w WHERE id = :id AND NOT EXISTS (
                  SELECT 1 FROM task t WHERE t.workflow_id = w.id AND t.status NOT IN %s)
                """
                    .formatted(TaskStatus.FINAL_SQL))
            .param("id", id)
            .update()
        > 0;
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
        instant(rs, "cancel_requested_at"),
        rs.getObject("rerun_of", UUID.class));
  }

  static WorkflowSummary summary(ResultSet rs, int row) throws SQLException {
    Map<TaskStatus, Long> counts = new EnumMap<>(TaskStatus.class);
    String packed = rs.getString("summary_counts");
    if (packed != null) {
      for (String pair : packed.split(",")) {
        int eq = pair.indexOf('=');
        counts.put(
            TaskStatus.valueOf(pair.substring(0, eq)), Long.parseLong(pair.substring(eq + 1)));
      }
    }
    return new WorkflowSummary(
        map(rs, row),
        WorkflowStatus.valueOf(rs.getString("summary_status")),
        counts,
        instant(rs, "summary_finished_at"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  private static OffsetDateTime ts(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }
}
