package io.batchexecutor.task;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * How a task's history maps to rows of {@code task_event}: an event's parameters (its kind stored
 * by its {@link EventKind} name), the events written in the same statement as a task's update, in a
 * batch or alone, and a row read back into a {@link TaskEvent}.
 */
@Component
class TaskEventRows {

  private static final String INSERT_EVENT =
      """
      INSERT INTO task_event (task_id, at, kind, from_status, to_status, reason, details)
      VALUES (:task, :at, :kind, :from, :to, :reason, CAST(:details AS jsonb))
      """;

  private static final TypeReference<Map<String, Object>> DETAILS = new TypeReference<>() {};

  private final NamedParameterJdbcTemplate batch;
  private final JsonMapper json;

  /** A row of {@code task_event} as a {@link TaskEvent}. */
  final RowMapper<TaskEvent> event = this::mapEvent;

  TaskEventRows(NamedParameterJdbcTemplate batch, JsonMapper json) {
    this.batch = batch;
    this.json = json;
  }

  /**
   * Adds to the update statement {@code sql} (a CTE {@code updated}) the CTE {@code logged} that
   * inserts {@code events} of task {@code taskId} in their order, their values in {@code params};
   * nothing when there are none.
   */
  void appendLogged(
      StringBuilder sql, Map<String, Object> params, UUID taskId, List<TaskEvent> events) {
    if (!events.isEmpty()) {
      sql.append(
          """
          , logged AS (
            INSERT INTO task_event (task_id, at, kind, from_status, to_status, reason, details)
            SELECT updated.id, e.at, e.kind, e.from_status, e.to_status, e.reason, e.details
            FROM updated, (VALUES\s""");
      for (int i = 0; i < events.size(); i++) {
        sql.append(i == 0 ? "" : ", ")
            .append("(%1$d, CAST(:at%1$d AS timestamptz), CAST(:kind%1$d AS text),".formatted(i))
            .append(" CAST(:from%1$d AS text), CAST(:to%1$d AS text),".formatted(i))
            .append(" CAST(:reason%1$d AS text), CAST(:details%1$d AS jsonb))".formatted(i));
        Map<String, Object> event = eventParams(taskId, events.get(i));
        for (String name : List.of("at", "kind", "from", "to", "reason", "details")) {
          params.put(name + i, event.get(name));
        }
      }
      sql.append(
          """
          ) AS e(n, at, kind, from_status, to_status, reason, details)
            ORDER BY e.n)""");
    }
  }

  /** The parameters of one {@code task_event} row. */
  Map<String, Object> eventParams(UUID taskId, TaskEvent e) {
    Map<String, Object> row = new HashMap<>();
    row.put("task", taskId);
    row.put("at", TaskRows.ts(e.at()));
    row.put("kind", e.kind().name());
    row.put("from", e.fromStatus() == null ? null : e.fromStatus().name());
    row.put("to", e.toStatus() == null ? null : e.toStatus().name());
    row.put("reason", e.reason());
    row.put("details", json.writeValueAsString(e.details() == null ? Map.of() : e.details()));
    return row;
  }

  /** The parameters of a new task's first event in {@link TaskRows#INSERT_ANNOUNCED}. */
  Map<String, Object> firstEventParams(TaskEvent e) {
    Map<String, Object> row = eventParams(null, e);
    row.remove("task");
    row.put("eventAt", row.remove("at"));
    row.put("eventReason", row.remove("reason"));
    return row;
  }

  /** Adds {@code events} to the history of task {@code taskId}. */
  void insertEvents(UUID taskId, List<TaskEvent> events) {
    insertEventRows(events.stream().map(e -> eventParams(taskId, e)));
  }

  /** Events in one batched statement. */
  void insertEventRows(Stream<Map<String, Object>> rows) {
    batch.batchUpdate(
        INSERT_EVENT, rows.map(MapSqlParameterSource::new).toArray(SqlParameterSource[]::new));
  }

  private TaskEvent mapEvent(ResultSet rs, int rowNum) throws SQLException {
    return new TaskEvent(
        instant(rs, "at"),
        EventKind.valueOf(rs.getString("kind")),
        status(rs.getString("from_status")),
        status(rs.getString("to_status")),
        rs.getString("reason"),
        json.readValue(rs.getString("details"), DETAILS));
  }

  private static TaskStatus status(String value) {
    return value == null ? null : TaskStatus.valueOf(value);
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }
}
