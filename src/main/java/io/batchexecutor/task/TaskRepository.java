package io.batchexecutor.task;

import io.batchexecutor.config.TaskSettings;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tasks and their events in PostgreSQL. Every write after the insert is conditional on the version
 * the writer read; zero rows updated means another writer won, which callers treat as a normal
 * outcome.
 */
@Repository
public class TaskRepository {

  private static final Logger log = LoggerFactory.getLogger(TaskRepository.class);

  private static final String NOT_FINAL = "status NOT IN " + TaskStatus.FINAL_SQL;

  /**
   * Tasks whose AWS Batch job is watched by the batched poller rather than by a pipeline worker:
   * submitted, not final, no cancel pending.
   */
  private static final String WATCHED_ON_BATCH =
      "(backend = 'awsbatch' AND batch_job_id IS NOT NULL AND cancel_requested_at IS NULL"
          + " AND status IN ('SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING', 'RUNNING'))";

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final NamedParameterJdbcTemplate batch;
  private final JsonMapper json;
  private final TaskNotifications notifications;
  private final RowMapper<Task> taskMapper = this::mapTask;

  public TaskRepository(
      JdbcClient jdbc,
      NamedParameterJdbcTemplate batch,
      TransactionTemplate tx,
      JsonMapper json,
      TaskNotifications notifications) {
    this.notifications = notifications;
    this.batch = batch;
    this.jdbc = jdbc;
    this.tx = tx;
    this.json = json;
  }

  /** The outcome of an insert that carried an idempotency key. */
  public record Inserted(Task task, boolean created, String requestHash) {}

  /**
   * Stores a new task with its first event and announces it. With an idempotency key, a task the
   * same owner stored under that key before is returned instead (and nothing is written).
   */
  public Inserted insert(Task task, String idempotencyKey, String requestHash) {
    return tx.execute(
        status -> {
          int rows = jdbc.sql(INSERT_TASK).params(row(task, idempotencyKey, requestHash)).update();
          if (rows == 0) {
            Map<String, Object> existing =
                jdbc.sql(
                        "SELECT id, request_hash FROM task WHERE owner = :owner AND idempotency_key = :key")
                    .param("owner", task.owner())
                    .param("key", idempotencyKey)
                    .query()
                    .singleRow();
            Task first = find((UUID) existing.get("id")).orElseThrow();
            return new Inserted(first, false, (String) existing.get("request_hash"));
          }
          insertEvents(task.id(), task.pendingEvents());
          notifyDue(task.id());
          return new Inserted(task, true, requestHash);
        });
  }

  /**
   * Stores the tasks of a new workflow (whose row the caller wrote in the same transaction) with
   * their first events, in two batched statements, and announces them once.
   */
  public void insertAll(List<Task> workflowTasks) {
    tx.executeWithoutResult(
        status -> {
          batch.batchUpdate(
              INSERT_TASK,
              workflowTasks.stream()
                  .map(t -> new MapSqlParameterSource(row(t, null, null)))
                  .toArray(SqlParameterSource[]::new));
          insertEventRows(
              workflowTasks.stream()
                  .flatMap(t -> t.pendingEvents().stream().map(e -> eventRow(t.id(), e))));
          if (workflowTasks.stream().anyMatch(t -> t.status() == TaskStatus.QUEUED)) {
            notifyDue(workflowTasks.get(0).id());
          }
        });
  }

  private static final String INSERT_TASK =
      """
      INSERT INTO task (id, owner, name, status, status_reason, spec, settings, backend,
                        idempotency_key, request_hash, next_run_at, version,
                        created_at, updated_at, workflow_id, workflow_key,
                        depends_on)
      VALUES (:id, :owner, :name, :status, :reason, CAST(:spec AS jsonb),
              CAST(:settings AS jsonb), :backend, :key, :hash, :at, 0, :at, :at,
              :workflow, :workflowKey, CAST(:dependsOn AS jsonb))
      ON CONFLICT (owner, idempotency_key) DO NOTHING
      """;

  private static final String INSERT_EVENT =
      """
      INSERT INTO task_event (task_id, at, kind, from_status, to_status, reason, details)
      VALUES (:task, :at, :kind, :from, :to, :reason, CAST(:details AS jsonb))
      """;

  private Map<String, Object> row(Task task, String idempotencyKey, String requestHash) {
    Map<String, Object> row = new java.util.HashMap<>();
    row.put("id", task.id());
    row.put("owner", task.owner());
    row.put("name", task.name());
    row.put("status", task.status().name());
    row.put("reason", task.statusReason());
    row.put("spec", json.writeValueAsString(task.spec()));
    row.put("settings", json.writeValueAsString(task.settings()));
    row.put("backend", task.backend());
    row.put("key", idempotencyKey);
    row.put("hash", requestHash);
    row.put("at", ts(task.createdAt()));
    row.put("workflow", task.workflowId());
    row.put("workflowKey", task.workflowKey());
    row.put("dependsOn", json.writeValueAsString(task.dependsOn()));
    return row;
  }

  private Map<String, Object> eventRow(UUID taskId, TaskEvent e) {
    Map<String, Object> row = new java.util.HashMap<>();
    row.put("task", taskId);
    row.put("at", ts(e.at()));
    row.put("kind", e.kind());
    row.put("from", e.fromStatus() == null ? null : e.fromStatus().name());
    row.put("to", e.toStatus() == null ? null : e.toStatus().name());
    row.put("reason", e.reason());
    row.put("details", json.writeValueAsString(e.details() == null ? Map.of() : e.details()));
    return row;
  }

  /** How many tasks there are in each status (statuses with none left out). */
  public Map<TaskStatus, Long> countByStatus() {
    Map<TaskStatus, Long> counts = new java.util.EnumMap<>(TaskStatus.class);
    jdbc.sql("SELECT status, count(*) AS n FROM task GROUP BY status")
        .query(
            rs -> {
              counts.put(TaskStatus.valueOf(rs.getString("status")), rs.getLong("n"));
            });
    return counts;
  }

  /** The tasks with these ids that exist. */
  public List<Task> findAll(Collection<UUID> ids) {
    if (ids.isEmpty()) {
      return List.of();
    }
    return jdbc.sql("SELECT * FROM task WHERE id = ANY(:ids)")
        .param("ids", ids.toArray(UUID[]::new))
        .query(taskMapper)
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
        .query(taskMapper)
        .list();
  }

  /**
   * Deletes these tasks with their history, if they are still final (a task is never deleted while
   * it can change).
   *
   * @return how many were deleted
   */
  public int deleteFinished(Collection<UUID> ids) {
    if (ids.isEmpty()) {
      return 0;
    }
    return jdbc.sql("DELETE FROM task WHERE id = ANY(:ids) AND status IN " + TaskStatus.FINAL_SQL)
        .param("ids", ids.toArray(UUID[]::new))
        .update();
  }

  /** The tasks of a workflow, in the order they were submitted. */
  public List<Task> inWorkflow(UUID workflowId) {
    return jdbc.sql("SELECT * FROM task WHERE workflow_id = :id ORDER BY created_at, id")
        .param("id", workflowId)
        .query(taskMapper)
        .list();
  }

  public Optional<Task> find(UUID id) {
    return jdbc.sql("SELECT * FROM task WHERE id = :id")
        .param("id", id)
        .query(taskMapper)
        .optional();
  }

  /** The task if it exists and belongs to {@code owner}. */
  public Optional<Task> findOwned(UUID id, String owner) {
    return jdbc.sql("SELECT * FROM task WHERE id = :id AND owner = :owner")
        .param("id", id)
        .param("owner", owner)
        .query(taskMapper)
        .optional();
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
        .query(taskMapper)
        .list();
  }

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

  /** A task's history, oldest first. */
  public List<TaskEvent> events(UUID taskId) {
    return jdbc.sql("SELECT * FROM task_event WHERE task_id = :id ORDER BY id")
        .param("id", taskId)
        .query(
            (rs, n) ->
                new TaskEvent(
                    instant(rs, "at"),
                    rs.getString("kind"),
                    status(rs.getString("from_status")),
                    status(rs.getString("to_status")),
                    rs.getString("reason"),
                    json.readValue(
                        rs.getString("details"), new TypeReference<Map<String, Object>>() {})))
        .list();
  }

  /**
   * Writes what changed on {@code task} and its new events, if the task is still at the version it
   * was read at. A task that reached a final status gives up its lease.
   *
   * @return false when another writer changed the task first (nothing is written)
   */
  public boolean update(Task task) {
    return write(task, false).isPresent();
  }

  /**
   * {@link #update}, answering the task as written (new version, and whatever else changed on the
   * row meanwhile, such as a cancel request), so that whoever goes on with it needs no read.
   *
   * @return empty when another writer changed the task first (nothing is written)
   */
  public Optional<Task> updateAndRead(Task task) {
    return write(task, true);
  }

  /**
   * Writes {@code task}, again if PostgreSQL rolled the write back to break a deadlock; with {@code
   * read}, answers the row as written, else {@code task} itself once written.
   */
  private Optional<Task> write(Task task, boolean read) {
    Optional<Task> written = null;
    for (int attempt = 1; written == null; attempt++) {
      try {
        written = writeOnce(task, read);
      } catch (PessimisticLockingFailureException e) {
        // PostgreSQL broke a deadlock by rolling this transaction back: nothing of it was written
        if (attempt == DEADLOCK_TRIES) {
          throw e;
        }
        log.info("Task {}: write rolled back ({}); writing again", task.id(), e.getMessage());
      }
    }
    if (written.isEmpty()) {
      log.info(
          "Task {} changed since version {}; this write is dropped", task.id(), task.version());
    }
    return written;
  }

  /** How often a write PostgreSQL rolled back to break a deadlock is tried in all. */
  private static final int DEADLOCK_TRIES = 3;

  private Optional<Task> writeOnce(Task task, boolean read) {
    boolean ends = task.status().isFinal();
    boolean endsWorkflowTask = task.workflowId() != null && ends;
    List<UUID> cancelledBelow = new ArrayList<>();
    Optional<Task> written =
        tx.execute(
            status -> {
              if (endsWorkflowTask) {
                // the workflow's row before the task's, as the dependants' cascade takes them:
                // taken the other way round, two ends in one workflow can deadlock
                lockWorkflow(task.workflowId());
              }
              JdbcClient.StatementSpec update =
                  jdbc.sql(
                          """
                          UPDATE task SET status = :status, status_reason = :reason,
                                 image_ref = :image, job_definition_arn = :jobDefinition,
                                 batch_job_id = :batchJobId, container_id = :containerId,
                                 log_stream_name = :logStream, attempts = :attempts,
                                 exit_code = :exitCode, result_pointer = :result,
                                 logs_pointer = :logs, error = CAST(:error AS jsonb),
                                 updated_at = :updatedAt, finished_at = :finishedAt,
                                 unreachable_since = :unreachableSince,
                                 unreachable_tries = :unreachableTries,
                                 lease_owner = CASE WHEN :final THEN NULL ELSE lease_owner END,
                                 lease_expires_at = CASE WHEN :final THEN NULL ELSE lease_expires_at END,
                                 version = version + 1
                          WHERE id = :id AND version = :version
                          """
                              + (read ? " RETURNING *" : ""))
                      .param("status", task.status().name())
                      .param("reason", task.statusReason())
                      .param("image", task.imageRef())
                      .param("jobDefinition", task.jobDefinitionArn())
                      .param("batchJobId", task.batchJobId())
                      .param("containerId", task.containerId())
                      .param("logStream", task.logStreamName())
                      .param("attempts", task.attempts())
                      .param("exitCode", task.exitCode())
                      .param("result", task.resultPointer())
                      .param("logs", task.logsPointer())
                      .param(
                          "error",
                          task.error() == null ? null : json.writeValueAsString(task.error()))
                      .param("updatedAt", ts(task.updatedAt()))
                      .param("finishedAt", ts(task.finishedAt()))
                      .param("unreachableSince", ts(task.unreachableSince()))
                      .param("unreachableTries", task.unreachableTries())
                      .param("final", task.status().isFinal())
                      .param("id", task.id())
                      .param("version", task.version());
              Optional<Task> row =
                  read
                      ? update.query(taskMapper).optional()
                      : Optional.of(task).filter(t -> update.update() == 1);
              if (row.isEmpty()) {
                return row;
              }
              insertEvents(task.id(), task.pendingEvents());
              if (ends) {
                notifyEnded(task.id(), task.workflowId());
              }
              if (endsWorkflowTask) {
                cancelledBelow.addAll(afterFinal(task));
              }
              return row;
            });
    if (written != null && written.isPresent() && ends) {
      // committed: whoever waits on this instance hears it now, the others through NOTIFY
      notifications.ended(task.id(), task.workflowId());
      cancelledBelow.forEach(id -> notifications.ended(id, task.workflowId()));
    }
    return written == null ? Optional.empty() : written;
  }

  /** Announces the end of {@code task} to every instance, when the transaction commits. */
  private void notifyEnded(UUID task, UUID workflow) {
    jdbc.sql("SELECT pg_notify(:channel, :payload)")
        .param("channel", TaskNotifications.ENDED_CHANNEL)
        .param("payload", TaskNotifications.endedPayload(task, workflow))
        .query()
        .listOfRows();
  }

  /**
   * Sets the status reason of a task this instance holds, without taking part in the version check:
   * a step that runs long says how it is getting on, and its own write at the end (which reads the
   * version from before) still goes through. Nothing is written once the lease is gone.
   */
  public void progress(UUID id, String leaseOwner, String reason, Instant at) {
    jdbc.sql(
            """
            UPDATE task SET status_reason = :reason, updated_at = :at
            WHERE id = :id AND lease_owner = :owner
            """)
        .param("reason", reason)
        .param("at", ts(at))
        .param("id", id)
        .param("owner", leaseOwner)
        .update();
  }

  /**
   * Adds one event to the history of a task this instance holds, outside the version check, as
   * {@link #progress} does; nothing is written once the lease is gone.
   */
  public void recordNow(UUID id, String leaseOwner, TaskEvent event) {
    Map<String, Object> row = eventRow(id, event);
    row.put("owner", leaseOwner);
    jdbc.sql(
            """
            INSERT INTO task_event (task_id, at, kind, from_status, to_status, reason, details)
            SELECT id, :at, :kind, :from, :to, :reason, CAST(:details AS jsonb)
            FROM task WHERE id = :task AND lease_owner = :owner
            """)
        .params(row)
        .update();
  }

  /**
   * Claims up to {@code limit} due tasks for {@code leaseOwner} in one statement: unleased,
   * unfinished, due by {@code now}. Rows locked by another claimer are skipped, never waited for.
   * Each claim is recorded in the task's history ({@code CLAIMED}, with the instance).
   */
  public List<Task> claimDue(String leaseOwner, int limit, Instant now, Instant leaseUntil) {
    return jdbc.sql(
            """
            WITH claimed AS (
                UPDATE task SET lease_owner = :owner, lease_expires_at = :until, version = version + 1
                WHERE id IN (SELECT id FROM task
                             WHERE lease_owner IS NULL AND next_run_at <= :now AND %s AND NOT %s
                               AND status <> 'WAITING'
                             ORDER BY next_run_at, created_at
                             LIMIT :limit
                             FOR UPDATE SKIP LOCKED)
                RETURNING *),
            logged AS (
                INSERT INTO task_event (task_id, at, kind, from_status, to_status, reason, details)
                SELECT id, :now, 'CLAIMED', status, status, 'claimed by ' || :owner,
                       jsonb_build_object('instance', CAST(:owner AS text))
                FROM claimed)
            SELECT * FROM claimed
            """
                .formatted(NOT_FINAL, WATCHED_ON_BATCH))
        .param("owner", leaseOwner)
        .param("until", ts(leaseUntil))
        .param("now", ts(now))
        .param("limit", limit)
        .query(taskMapper)
        .list();
  }

  /**
   * Claims up to {@code limit} due tasks whose AWS Batch jobs are to be polled, for one batched
   * DescribeJobs call.
   */
  public List<Task> claimDueOnBatch(String leaseOwner, int limit, Instant now, Instant leaseUntil) {
    return jdbc.sql(
            """
            UPDATE task SET lease_owner = :owner, lease_expires_at = :until, version = version + 1
            WHERE id IN (SELECT id FROM task
                         WHERE lease_owner IS NULL AND next_run_at <= :now AND %s
                         ORDER BY next_run_at
                         LIMIT :limit
                         FOR UPDATE SKIP LOCKED)
            RETURNING *
            """
                .formatted(WATCHED_ON_BATCH))
        .param("owner", leaseOwner)
        .param("until", ts(leaseUntil))
        .param("now", ts(now))
        .param("limit", limit)
        .query(taskMapper)
        .list();
  }

  /**
   * Extends the leases {@code leaseOwner} holds on {@code ids}.
   *
   * @return the ids among them whose lease is still held (a lease that was reaped is lost)
   */
  public List<UUID> renewLeases(String leaseOwner, Collection<UUID> ids, Instant leaseUntil) {
    if (ids.isEmpty()) {
      return List.of();
    }
    return jdbc.sql(
            """
            UPDATE task SET lease_expires_at = :until
            WHERE id = ANY(:ids) AND lease_owner = :owner
            RETURNING id
            """)
        .param("until", ts(leaseUntil))
        .param("ids", ids.toArray(UUID[]::new))
        .param("owner", leaseOwner)
        .query(UUID.class)
        .list();
  }

  /** Gives up the lease on a task, to be picked up again from {@code nextRunAt}. */
  public boolean release(UUID id, String leaseOwner, Instant nextRunAt) {
    return jdbc.sql(
                """
                UPDATE task SET lease_owner = NULL, lease_expires_at = NULL, next_run_at = :next,
                       version = version + 1
                WHERE id = :id AND lease_owner = :owner
                """)
            .param("next", ts(nextRunAt))
            .param("id", id)
            .param("owner", leaseOwner)
            .update()
        == 1;
  }

  /** Gives up every lease {@code leaseOwner} holds (a graceful shutdown), due at once elsewhere. */
  public int releaseAll(String leaseOwner, Instant now) {
    int released =
        jdbc.sql(
                """
                UPDATE task SET lease_owner = NULL, lease_expires_at = NULL, next_run_at = :now,
                       version = version + 1
                WHERE lease_owner = :owner
                """)
            .param("now", ts(now))
            .param("owner", leaseOwner)
            .update();
    if (released > 0) {
      jdbc.sql("SELECT pg_notify(:channel, '')")
          .param("channel", TaskNotifications.DUE_CHANNEL)
          .query()
          .listOfRows();
    }
    return released;
  }

  /** A task whose lease ran out, returned to the queue by {@link #reapExpiredLeases}. */
  public record Reaped(UUID id, String previousOwner, TaskStatus status) {}

  /** Returns tasks whose leases expired before {@code now} to the queue, with an event each. */
  public List<Reaped> reapExpiredLeases(Instant now) {
    List<Reaped> reaped =
        tx.execute(
            status -> {
              List<Reaped> rows =
                  jdbc.sql(
                          """
                          WITH expired AS (
                              SELECT id, lease_owner FROM task
                              WHERE lease_owner IS NOT NULL AND lease_expires_at < :now
                              FOR UPDATE SKIP LOCKED)
                          UPDATE task t SET lease_owner = NULL, lease_expires_at = NULL,
                                 next_run_at = :now, version = t.version + 1
                          FROM expired e WHERE t.id = e.id
                          RETURNING t.id, e.lease_owner AS previous_owner, t.status
                          """)
                      .param("now", ts(now))
                      .query(
                          (rs, n) ->
                              new Reaped(
                                  rs.getObject("id", UUID.class),
                                  rs.getString("previous_owner"),
                                  TaskStatus.valueOf(rs.getString("status"))))
                      .list();
              for (Reaped r : rows) {
                insertEvents(
                    r.id(),
                    List.of(
                        new TaskEvent(
                            now,
                            "LEASE_EXPIRED",
                            r.status(),
                            r.status(),
                            "the lease of " + r.previousOwner() + " expired; back in the queue",
                            Map.of("previous_owner", r.previousOwner()))));
              }
              return rows;
            });
    if (reaped != null && !reaped.isEmpty()) {
      jdbc.sql("SELECT pg_notify(:channel, '')")
          .param("channel", TaskNotifications.DUE_CHANNEL)
          .query()
          .listOfRows();
    }
    return reaped == null ? List.of() : reaped;
  }

  /**
   * Marks a leased task for cancellation and tells its holder.
   *
   * @return false when the task is final already or no longer exists
   */
  public boolean requestCancel(UUID id, Instant at) {
    return requestCancel(id, at, null);
  }

  /**
   * Marks a task for cancellation with {@code reason} (null: the client asked) and tells its
   * holder.
   */
  public boolean requestCancel(UUID id, Instant at, String reason) {
    Boolean marked =
        tx.execute(
            status -> {
              Optional<TaskStatus> current =
                  jdbc.sql(
                          """
                          UPDATE task SET cancel_requested_at = coalesce(cancel_requested_at, :at),
                                 cancel_reason = coalesce(cancel_reason, :reason),
                                 next_run_at = least(next_run_at, :at)
                          WHERE id = :id AND %s
                          RETURNING status
                          """
                              .formatted(NOT_FINAL))
                      .param("at", ts(at))
                      .param("reason", reason)
                      .param("id", id)
                      .query((rs, n) -> TaskStatus.valueOf(rs.getString(1)))
                      .optional();
              if (current.isEmpty()) {
                return false;
              }
              insertEvents(
                  id,
                  List.of(
                      new TaskEvent(
                          at,
                          "CANCEL_REQUESTED",
                          current.get(),
                          current.get(),
                          reason == null ? "cancel requested" : "cancel requested: " + reason,
                          Map.of())));
              jdbc.sql("SELECT pg_notify(:channel, :id)")
                  .param("channel", TaskNotifications.CANCEL_CHANNEL)
                  .param("id", id.toString())
                  .query()
                  .listOfRows();
              return true;
            });
    return Boolean.TRUE.equals(marked);
  }

  /**
   * What a workflow task's end means for the tasks that depend on it, in the transaction that
   * records the end. SUCCEEDED: every WAITING task whose dependencies have now all succeeded is
   * QUEUED. FAILED or CANCELLED: every task below it (transitively) is cancelled, naming it — at
   * once when WAITING, through a cancel request (which stops its container or Batch job) when it is
   * further along. The caller holds the workflow's row (locked before the task's), so that two
   * dependencies ending at the same moment cannot each miss the other's end.
   *
   * @return the WAITING tasks it cancelled (ended here, without a write of their own)
   */
  private List<UUID> afterFinal(Task task) {
    Instant now = task.updatedAt();
    if (task.status() == TaskStatus.SUCCEEDED) {
      List<UUID> ready =
          jdbc.sql(
                  """
                  UPDATE task t SET status = 'QUEUED', status_reason = :reason,
                         next_run_at = :now, updated_at = :now, version = version + 1
                  WHERE t.workflow_id = :workflow AND t.status = 'WAITING'
                    AND t.cancel_requested_at IS NULL
                    AND EXISTS (SELECT 1 FROM jsonb_each_text(t.depends_on) d WHERE d.value = :id)
                    AND NOT EXISTS (SELECT 1 FROM jsonb_each_text(t.depends_on) d
                                    JOIN task u ON u.id = CAST(d.value AS uuid)
                                    WHERE u.status <> 'SUCCEEDED')
                  RETURNING t.id
                  """)
              .param("reason", "its dependencies succeeded")
              .param("now", ts(now))
              .param("workflow", task.workflowId())
              .param("id", task.id().toString())
              .query(UUID.class)
              .list();
      for (UUID id : ready) {
        insertEvents(
            id,
            List.of(
                new TaskEvent(
                    now,
                    TaskEvent.STATUS,
                    TaskStatus.WAITING,
                    TaskStatus.QUEUED,
                    "its dependencies succeeded",
                    Map.of())));
        notifyDue(id);
      }
      return List.of();
    }
    List<UUID> cancelled = new ArrayList<>();
    String reason =
        "cancelled: its dependency '" + task.workflowKey() + "' " + task.status().name();
    List<Map<String, Object>> below =
        jdbc.sql(
                """
                WITH RECURSIVE below(id) AS (
                    SELECT t.id FROM task t CROSS JOIN LATERAL jsonb_each_text(t.depends_on) d
                    WHERE t.workflow_id = :workflow AND d.value = :id
                  UNION
                    SELECT t.id FROM below b
                    JOIN task t ON t.workflow_id = :workflow
                    CROSS JOIN LATERAL jsonb_each_text(t.depends_on) d
                    WHERE d.value = CAST(b.id AS text))
                SELECT id, status FROM task
                WHERE id IN (SELECT id FROM below) AND %s
                """
                    .formatted(NOT_FINAL))
            .param("workflow", task.workflowId())
            .param("id", task.id().toString())
            .query()
            .listOfRows();
    for (Map<String, Object> row : below) {
      UUID id = (UUID) row.get("id");
      if (TaskStatus.WAITING.name().equals(row.get("status"))) {
        jdbc.sql(
                """
                UPDATE task SET status = 'CANCELLED', status_reason = :reason,
                       cancel_reason = :reason, cancel_requested_at = :now, updated_at = :now,
                       finished_at = :now, version = version + 1
                WHERE id = :id AND status = 'WAITING'
                """)
            .param("reason", reason)
            .param("now", ts(now))
            .param("id", id)
            .update();
        insertEvents(
            id,
            List.of(
                new TaskEvent(
                    now,
                    TaskEvent.STATUS,
                    TaskStatus.WAITING,
                    TaskStatus.CANCELLED,
                    reason,
                    Map.of("dependency", task.workflowKey()))));
        notifyEnded(id, task.workflowId());
        cancelled.add(id);
      } else {
        requestCancel(id, now, reason);
        notifyDue(id);
      }
    }
    return cancelled;
  }

  private void lockWorkflow(UUID workflowId) {
    jdbc.sql("SELECT id FROM workflow WHERE id = :id FOR UPDATE")
        .param("id", workflowId)
        .query()
        .listOfRows();
  }

  private void notifyDue(UUID id) {
    jdbc.sql("SELECT pg_notify(:channel, :id)")
        .param("channel", TaskNotifications.DUE_CHANNEL)
        .param("id", id.toString())
        .query()
        .listOfRows();
  }

  private void insertEvents(UUID taskId, List<TaskEvent> events) {
    insertEventRows(events.stream().map(e -> eventRow(taskId, e)));
  }

  /** Events in one batched statement. */
  private void insertEventRows(Stream<Map<String, Object>> rows) {
    batch.batchUpdate(
        INSERT_EVENT, rows.map(MapSqlParameterSource::new).toArray(SqlParameterSource[]::new));
  }

  private Task mapTask(ResultSet rs, int rowNum) throws SQLException {
    Task.Builder b = new Task.Builder();
    b.id = rs.getObject("id", UUID.class);
    b.owner = rs.getString("owner");
    b.name = rs.getString("name");
    b.status = TaskStatus.valueOf(rs.getString("status"));
    b.statusReason = rs.getString("status_reason");
    b.spec = json.readValue(rs.getString("spec"), TaskSpec.class);
    b.settings = json.readValue(rs.getString("settings"), TaskSettings.class);
    b.backend = rs.getString("backend");
    b.imageRef = rs.getString("image_ref");
    b.jobDefinitionArn = rs.getString("job_definition_arn");
    b.batchJobId = rs.getString("batch_job_id");
    b.containerId = rs.getString("container_id");
    b.logStreamName = rs.getString("log_stream_name");
    b.attempts = rs.getInt("attempts");
    b.exitCode = (Integer) rs.getObject("exit_code");
    b.resultPointer = rs.getString("result_pointer");
    b.logsPointer = rs.getString("logs_pointer");
    String error = rs.getString("error");
    b.error = error == null ? null : json.readValue(error, TaskError.class);
    b.cancelRequestedAt = instant(rs, "cancel_requested_at");
    b.version = rs.getLong("version");
    b.createdAt = instant(rs, "created_at");
    b.updatedAt = instant(rs, "updated_at");
    b.finishedAt = instant(rs, "finished_at");
    b.cancelReason = rs.getString("cancel_reason");
    b.workflowId = rs.getObject("workflow_id", UUID.class);
    b.workflowKey = rs.getString("workflow_key");
    b.dependsOn =
        json.readValue(rs.getString("depends_on"), new TypeReference<Map<String, UUID>>() {});
    b.unreachableSince = instant(rs, "unreachable_since");
    b.unreachableTries = rs.getInt("unreachable_tries");
    return b.build();
  }

  private static TaskStatus status(String value) {
    return value == null ? null : TaskStatus.valueOf(value);
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  private static OffsetDateTime ts(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }
}
