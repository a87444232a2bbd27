package io.batchexecutor.task;

import io.batchexecutor.config.TaskSettings;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * How a task maps to rows: the insert, the versioned update every change goes through (with the
 * events written by {@link TaskEventRows} in the same statement), and a row read back into a {@link
 * Task}.
 */
@Component
class TaskRows {

  static final String NOT_FINAL = "status NOT IN " + TaskStatus.FINAL_SQL;

  static final String INSERT_TASK =
      """
      INSERT INTO task (id, owner, name, status, status_reason, spec, settings, backend,
                        idempotency_key, request_hash, next_run_at, version,
                        created_at, updated_at, workflow_id, workflow_key,
                        depends_on, object_prefix, sweep_payload, reused_from,
                        result_pointer, result_digests, finished_at)
      VALUES (:id, :owner, :name, :status, :reason, CAST(:spec AS json),
              CAST(:settings AS jsonb), :backend, :key, :hash, :at, 0, :at, :at,
              :workflow, :workflowKey, CAST(:dependsOn AS jsonb), :objectPrefix,
              :sweepPayload, :reusedFrom, :result, CAST(:resultDigests AS jsonb), :finishedAt)
      ON CONFLICT (owner, idempotency_key) DO NOTHING
      """;

  /**
   * A task, its first event and the notification that wakes the claim loops, as one statement: true
   * when the task was inserted, false when its idempotency key was taken (nothing written). The
   * notification's CTE is read by the outer query, so it runs exactly when the row went in.
   */
  static final String INSERT_ANNOUNCED =
      """
      WITH new_task AS (
      """
          + INSERT_TASK
          + """
            RETURNING id
          ), first_event AS (
            INSERT INTO task_event (task_id, at, kind, from_status, to_status, reason, details)
            SELECT id, :eventAt, :kind, :from, :to, :eventReason, CAST(:details AS jsonb)
            FROM new_task
          ), announced AS (
            SELECT pg_notify(:channel, id::text) FROM new_task
          )
          SELECT count(*) = 1 FROM announced
          """;

  /**
   * What changed on a task, if it is still at the version it was read at. A final status gives up
   * the lease; a cancel request, once made, is never taken back by a writer that read before it.
   */
  private static final String UPDATE =
      """
      UPDATE task SET status = :status, status_reason = :reason,
             image_ref = :image, job_definition_arn = :jobDefinition,
             batch_job_id = :batchJobId, container_id = :containerId,
             log_stream_name = :logStream, attempts = :attempts,
             exit_code = :exitCode, result_pointer = :result,
             result_digests = CAST(:resultDigests AS jsonb),
             logs_pointer = :logs, error = CAST(:error AS jsonb),
             updated_at = :updatedAt, finished_at = :finishedAt,
             unreachable_since = :unreachableSince,
             unreachable_tries = :unreachableTries,
             cancel_requested_at = coalesce(cancel_requested_at, :cancelRequestedAt),
             cancel_reason = coalesce(cancel_reason, :cancelReason),
             depends_on = CAST(:dependsOn AS jsonb),
             sub_workflow_output = :subWorkflowOutput,
             lease_owner = CASE WHEN :final OR :waits THEN NULL ELSE lease_owner END,
             lease_expires_at = CASE WHEN :final OR :waits THEN NULL ELSE lease_expires_at END,
             version = version + 1
      WHERE id = :id AND version = :version
      """;

  private static final TypeReference<Map<String, UUID>> DEPENDS_ON = new TypeReference<>() {};
  private static final TypeReference<Map<String, String>> DIGESTS = new TypeReference<>() {};

  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final TaskEventRows events;

  /** A row of {@code task} (all its columns) as a {@link Task}. */
  final RowMapper<Task> task = this::mapTask;

  TaskRows(JdbcClient jdbc, JsonMapper json, TaskEventRows events) {
    this.jdbc = jdbc;
    this.json = json;
    this.events = events;
  }

  /** The parameters of {@link #INSERT_TASK} for {@code task}. */
  Map<String, Object> insertParams(Task task, String idempotencyKey, String requestHash) {
    Map<String, Object> row = new HashMap<>();
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
    row.put("objectPrefix", task.objectPrefix());
    row.put("sweepPayload", task.spec().sweepPayload());
    // a task born SUCCEEDED (reused in a re-run) is stored with its result; any other has none
    row.put("reusedFrom", task.reusedFrom());
    row.put("result", task.resultPointer());
    row.put(
        "resultDigests",
        task.resultDigests().isEmpty() ? null : json.writeValueAsString(task.resultDigests()));
    row.put("finishedAt", ts(task.finishedAt()));
    return row;
  }

  /**
   * The versioned update of {@code task}, its new events and, when it ends, the notification of its
   * end, as one statement (one round trip; outside a transaction, its own). The row as written
   * comes back when it was written (with a column {@code announced} the row mapper ignores);
   * nothing, and nothing written, when another writer changed the task first.
   */
  JdbcClient.StatementSpec write(Task task) {
    Map<String, Object> params = updateParams(task);
    StringBuilder sql =
        new StringBuilder("WITH updated AS (").append(UPDATE).append(" RETURNING *)");
    events.appendLogged(sql, params, task.id(), task.pendingEvents());
    boolean ends = task.status().isFinal();
    if (ends) {
      sql.append(", announced AS (SELECT pg_notify(:channel, :payload) FROM updated)");
      params.put("channel", TaskNotifications.ENDED_CHANNEL);
      params.put("payload", TaskNotifications.endedPayload(task.id(), task.workflowId()));
    }
    sql.append(" SELECT updated.*, ")
        .append(ends ? "(SELECT count(*) FROM announced)" : "0")
        .append(" AS announced FROM updated");
    return jdbc.sql(sql.toString()).params(params);
  }

  private Map<String, Object> updateParams(Task task) {
    Map<String, Object> row = new HashMap<>();
    row.put("status", task.status().name());
    row.put("reason", task.statusReason());
    row.put("dependsOn", json.writeValueAsString(task.dependsOn()));
    row.put("subWorkflowOutput", task.subWorkflowOutput());
    row.put("waits", task.status() == TaskStatus.WAITING);
    row.put("image", task.imageRef());
    row.put("jobDefinition", task.jobDefinitionArn());
    row.put("batchJobId", task.batchJobId());
    row.put("containerId", task.containerId());
    row.put("logStream", task.logStreamName());
    row.put("attempts", task.attempts());
    row.put("exitCode", task.exitCode());
    row.put("result", task.resultPointer());
    row.put(
        "resultDigests",
        task.resultDigests().isEmpty() ? null : json.writeValueAsString(task.resultDigests()));
    row.put("logs", task.logsPointer());
    row.put("error", task.error() == null ? null : json.writeValueAsString(task.error()));
    row.put("updatedAt", ts(task.updatedAt()));
    row.put("finishedAt", ts(task.finishedAt()));
    row.put("unreachableSince", ts(task.unreachableSince()));
    row.put("unreachableTries", task.unreachableTries());
    row.put("cancelRequestedAt", ts(task.cancelRequestedAt()));
    row.put("cancelReason", task.cancelReason());
    row.put("final", task.status().isFinal());
    row.put("id", task.id());
    row.put("version", task.version());
    return row;
  }

  /**
   * Writes what {@code task} has changed, and announces its end when it ended, if nobody changed it
   * since; true when written.
   */
  boolean writeChanges(Task task) {
    return write(task).query((rs, n) -> true).optional().isPresent();
  }

  /**
   * Sends {@code payload} on {@code channel} to every listening instance when the transaction
   * commits.
   */
  void pgNotify(String channel, String payload) {
    jdbc.sql("SELECT pg_notify(:channel, :payload)")
        .param("channel", channel)
        .param("payload", payload)
        .query()
        .listOfRows();
  }

  private Task mapTask(ResultSet rs, int rowNum) throws SQLException {
    TaskFields b = new TaskFields();
    b.id = rs.getObject("id", UUID.class);
    b.owner = rs.getString("owner");
    b.name = rs.getString("name");
    b.status = TaskStatus.valueOf(rs.getString("status"));
    b.statusReason = rs.getString("status_reason");
    b.spec =
        json.readValue(rs.getString("spec"), TaskSpec.class)
            .withSweepPayload(rs.getString("sweep_payload"));
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
    String digests = rs.getString("result_digests");
    b.resultDigests = digests == null ? null : json.readValue(digests, DIGESTS);
    b.objectPrefix = rs.getString("object_prefix");
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
    b.dependsOn = json.readValue(rs.getString("depends_on"), DEPENDS_ON);
    b.subWorkflowOutput = rs.getObject("sub_workflow_output", UUID.class);
    b.unreachableSince = instant(rs, "unreachable_since");
    b.unreachableTries = rs.getInt("unreachable_tries");
    b.reusedFrom = rs.getObject("reused_from", UUID.class);
    return b.build();
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  static OffsetDateTime ts(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }
}
