package io.batchexecutor.task;

import io.batchexecutor.support.RetryDelays;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Tasks and their events in PostgreSQL: a new task is inserted with its first event, a task is
 * loaded whole, and every later change is written with its events on condition that the task is
 * still at the version the writer read; zero rows updated means another writer won, which callers
 * treat as a normal outcome. Queries live in {@link TaskQueries}, claims and leases in {@link
 * WorkQueue}.
 */
@Repository
public class TaskRepository {

  private static final Logger log = LoggerFactory.getLogger(TaskRepository.class);

  /**
   * A write PostgreSQL rolled back to break a deadlock (nothing of it was written) is tried again,
   * three times in all, after the service's back-off from 10 ms.
   */
  private final RetryTemplate deadlocks =
      RetryDelays.doubling(Duration.ofMillis(10), Duration.ofMillis(100))
          .retrying(3, e -> e instanceof PessimisticLockingFailureException);

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final NamedParameterJdbcTemplate batch;
  private final TaskRows rows;
  private final TaskEventRows eventRows;
  private final TaskQueries queries;
  private final WorkflowCascade cascade;
  private final TaskNotifications notifications;
  private final UnfinishedTasks unfinished;
  private final WorkflowRoom room;

  TaskRepository(
      JdbcClient jdbc,
      NamedParameterJdbcTemplate batch,
      TransactionTemplate tx,
      TaskRows rows,
      TaskEventRows eventRows,
      TaskQueries queries,
      WorkflowCascade cascade,
      TaskNotifications notifications,
      UnfinishedTasks unfinished,
      WorkflowRoom room) {
    this.unfinished = unfinished;
    this.room = room;
    this.jdbc = jdbc;
    this.batch = batch;
    this.tx = tx;
    this.rows = rows;
    this.eventRows = eventRows;
    this.queries = queries;
    this.cascade = cascade;
    this.notifications = notifications;
  }

  /** The outcome of an insert that carried an idempotency key. */
  public record Inserted(Task task, boolean created, String requestHash) {}

  /**
   * Stores a new task with its first event and announces it, in one statement (so one round trip
   * and its own transaction: committed when this returns). With an idempotency key, a task the same
   * owner stored under that key before is returned instead (and nothing is written).
   */
  public Inserted insert(Task task, String idempotencyKey, String requestHash) {
    return insert(task, idempotencyKey, requestHash, 0);
  }

  /**
   * {@link #insert}, unless the owner has {@code maxUnfinished} tasks not yet ended (0: no limit):
   * then it is refused ({@link SubmissionRefusedException}), except as a replay of a task stored
   * under the same idempotency key, which is returned. Checked against this instance's estimate of
   * the owner's unfinished tasks ({@link UnfinishedTasks#reserve}), before the insert's one
   * statement.
   */
  public Inserted insert(Task task, String idempotencyKey, String requestHash, int maxUnfinished) {
    if (maxUnfinished <= 0) {
      return insertOnce(task, idempotencyKey, requestHash);
    }
    // the estimate is this instance's memory: no transaction around the insert's one statement
    UnfinishedTasks.Reservation reserved;
    try {
      reserved = unfinished.hold(task.owner(), 1, maxUnfinished);
    } catch (SubmissionRefusedException refused) {
      if (idempotencyKey != null && earlier(task.owner(), idempotencyKey).isPresent()) {
        return insertOnce(task, idempotencyKey, requestHash); // answers the earlier task
      }
      throw refused;
    }
    Inserted inserted;
    try {
      inserted = insertOnce(task, idempotencyKey, requestHash);
    } catch (RuntimeException e) {
      reserved.settle(false);
      throw e;
    }
    reserved.settle(inserted.created()); // a replay stored nothing new
    return inserted;
  }

  private Optional<Map<String, Object>> earlier(String owner, String idempotencyKey) {
    return jdbc
        .sql("SELECT id, request_hash FROM task WHERE owner = :owner AND idempotency_key = :key")
        .param("owner", owner)
        .param("key", idempotencyKey)
        .query()
        .listOfRows()
        .stream()
        .findFirst();
  }

  /** Whether {@code owner} stored a task under {@code idempotencyKey} before. */
  public boolean hasIdempotencyKey(String owner, String idempotencyKey) {
    return idempotencyKey != null && earlier(owner, idempotencyKey).isPresent();
  }

  private Inserted insertOnce(Task task, String idempotencyKey, String requestHash) {
    if (task.pendingEvents().size() != 1) {
      throw new IllegalArgumentException("a new task has exactly one event, its acceptance");
    }
    Map<String, Object> params = rows.insertParams(task, idempotencyKey, requestHash);
    params.putAll(eventRows.firstEventParams(task.pendingEvents().get(0)));
    params.put("channel", TaskNotifications.DUE_CHANNEL);
    boolean inserted =
        jdbc.sql(TaskRows.INSERT_ANNOUNCED).params(params).query(Boolean.class).single();
    if (inserted) {
      return new Inserted(task, true, requestHash);
    }
    Map<String, Object> existing = earlier(task.owner(), idempotencyKey).orElseThrow();
    Task first = find((UUID) existing.get("id")).orElseThrow();
    return new Inserted(first, false, (String) existing.get("request_hash"));
  }

  /**
   * Stores the tasks of a new workflow (whose row the caller wrote in the same transaction) with
   * their first events, in two batched statements, and announces them once.
   */
  public void insertAll(List<Task> workflowTasks) {
    tx.executeWithoutResult(
        status -> {
          batch.batchUpdate(
              TaskRows.INSERT_TASK,
              workflowTasks.stream()
                  .map(t -> new MapSqlParameterSource(rows.insertParams(t, null, null)))
                  .toArray(SqlParameterSource[]::new));
          eventRows.insertEventRows(
              workflowTasks.stream()
                  .flatMap(
                      t -> t.pendingEvents().stream().map(e -> eventRows.eventParams(t.id(), e))));
          if (workflowTasks.stream().anyMatch(t -> t.status() == TaskStatus.QUEUED)) {
            rows.pgNotify(TaskNotifications.DUE_CHANNEL, workflowTasks.get(0).id().toString());
          }
        });
  }

  /** The task as stored now, to work on. */
  public Optional<Task> find(UUID id) {
    return queries.find(id);
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
    Optional<Task> written;
    try {
      written = deadlocks.execute(() -> writeOnce(task, read));
    } catch (RetryException e) {
      throw e.getCause() instanceof RuntimeException failure
          ? failure
          : new IllegalStateException(e.getCause());
    }
    if (written.isEmpty()) {
      log.info(
          "Task {} changed since version {}; this write is dropped", task.id(), task.version());
    }
    return written;
  }

  private Optional<Task> writeOnce(Task task, boolean read) {
    boolean ends = task.status().isFinal();
    Supplier<Optional<Task>> write =
        () -> {
          JdbcClient.StatementSpec statement = rows.write(task);
          return read
              ? statement.query(rows.task).optional()
              : statement.query((rs, n) -> task).optional();
        };
    List<UUID> cancelledBelow = new ArrayList<>();
    Optional<Task> written;
    int children = task.pendingChildren().size();
    if (children > 0) {
      // the sub-workflow the task returned: its tasks go in with the task's own change, in one
      // transaction, only if that change is written (a replay that finds the task changed adds
      // nothing)
      written =
          tx.execute(
              status -> {
                room.lock(task.workflowId());
                // a cancel request that came since the task was read: none of it starts (a task
                // that waited with a cancel request would wait for ever)
                room.cancelRequest(task.id())
                    .ifPresent(reason -> task.cancelBeforeSubWorkflow(reason, task.updatedAt()));
                if (!task.status().isFinal()) {
                  // counted under the workflow's lock: two sub-workflows at once cannot both fit
                  room.checkRoom(task, children);
                }
                Optional<Task> row = write.get();
                if (task.status().isFinal()) {
                  row.ifPresent(t -> cancelledBelow.addAll(cascade.afterEnd(task)));
                } else {
                  row.ifPresent(t -> insertAll(task.pendingChildren()));
                }
                return row;
              });
    } else if (ends && task.workflowId() != null) {
      // the workflow's row before the task's, as the dependants' cascade takes them: taken the
      // other way round, two ends in one workflow can deadlock; the cascade commits with the end
      written =
          tx.execute(
              status -> {
                room.lock(task.workflowId());
                Optional<Task> row = write.get();
                row.ifPresent(t -> cancelledBelow.addAll(cascade.afterEnd(task)));
                return row;
              });
    } else {
      written = write.get();
    }
    if (children > 0 && (written == null || written.isEmpty() || task.status().isFinal())) {
      // counted against the client's unfinished tasks when they were built, not stored after all
      unfinished.giveBack(task.owner(), children);
    }
    if (written != null && written.isPresent() && task.status().isFinal()) {
      // committed: whoever waits on this instance hears it now, the others through NOTIFY
      notifications.ended(task.id(), task.workflowId());
      cancelledBelow.forEach(id -> notifications.ended(id, task.workflowId()));
    }
    return written == null ? Optional.empty() : written;
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
}
