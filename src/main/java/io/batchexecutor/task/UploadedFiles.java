package io.batchexecutor.task;

import io.batchexecutor.config.ExecutorSettingsResolver;
import io.batchexecutor.config.FileTransferProperties;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.support.Sha256;
import java.net.URI;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The files clients upload for their tasks: each under the client's own prefix of the object store,
 * {@code batch-executor/_uploads/<client>/<sha256>/file} (the {@code _} keeps it apart from the
 * task prefixes, {@code batch-executor/<client>/}: no client name has one), and one row per client
 * and content in {@code uploaded_file}. The client's quota counts them and its tasks' copies of
 * them ({@code staged_upload}, kept until the task is deleted), summed in {@code upload_usage}. The
 * id of an upload is the SHA-256 of its bytes, so uploading the same bytes again stores nothing
 * new, and the runner checks what it places in a task's container against the id.
 *
 * <p>A client only ever sees its own uploads: every read names the owner, and another client's id
 * is as unknown as one never uploaded.
 */
@Repository
public class UploadedFiles {

  /** Where a client's uploads are kept in the object store, before the client's name. */
  public static final String PREFIX = TaskObjects.PREFIX + "/_uploads/";

  private final JdbcClient jdbc;
  private final UploadLocks locks;
  private final UploadObjects objects;
  private final FileTransferProperties properties;
  private final Clock clock;

  UploadedFiles(
      JdbcClient jdbc,
      TransactionTemplate tx,
      ObjectStores stores,
      ExecutorSettingsResolver settings,
      FileTransferProperties properties,
      Clock clock) {
    this.jdbc = jdbc;
    this.locks = new UploadLocks(jdbc, tx, properties.uploadsPerClient());
    this.objects = new UploadObjects(stores, settings);
    this.properties = properties;
    this.clock = clock;
  }

  /** One upload as a client sees it. */
  public record Upload(String id, long size, Instant createdAt) {}

  /** What an upload answers: the stored file, or why it was refused. */
  public sealed interface Stored permits Accepted, OverQuota {}

  /** The file is stored (or was already: {@code created} is false). */
  public record Accepted(Upload upload, boolean created) implements Stored {}

  /** The file would take the client past its quota: nothing was kept. */
  public record OverQuota(long used, long limit) implements Stored {}

  /** Whether {@code id} can be the id of an upload (a SHA-256 in lowercase hex). */
  public static boolean isId(String id) {
    return id != null && id.matches("[0-9a-f]{64}");
  }

  /**
   * Stores {@code data} for {@code owner}, within its quota, in the client's turn (waiting for it
   * holds no database connection), under the database lock of its uploads only for the short
   * transaction that records the row. Bytes already recorded are answered as they are only if their
   * object is still there; else they are stored again, as new ones are, which are refused before
   * anything is written when the quota has no room. The object is written before the transaction
   * and its row recorded in it: the other order would commit a row whose object a failed write
   * never stores. The object store is asked under the lock only where it must be: whether the
   * object of a row just inserted is still there (another instance's deletion, or refused upload,
   * of the same bytes may have removed it between the write and the lock: it is written again), and
   * to remove the object of an upload refused there (another instance took the room since the
   * check), lest it remove the object of a row another instance records after it. A row is never
   * left without its object, and nothing of a refused upload is kept.
   */
  public Stored store(String owner, byte[] data) {
    String id = Sha256.hex(data);
    return locks.inTurn(owner, () -> storeInTurn(owner, id, data));
  }

  private Stored storeInTurn(String owner, String id, byte[] data) {
    Optional<Recorded> known = recorded(owner, id);
    if (known.isPresent() && objects.exists(known.get().pointer())) {
      return new Accepted(known.get().upload(), false);
    }
    long limit = properties.maxBytesPerClient().toBytes();
    long used = used(owner);
    if (known.isEmpty() && used + data.length > limit) {
      return new OverQuota(used, limit);
    }
    URI pointer = objects.put(owner, id, data);
    Instant now = clock.instant();
    return locks.locked(
        owner,
        () -> {
          int inserted =
              jdbc.sql(
                      """
                      INSERT INTO uploaded_file (owner, id, size, pointer, created_at)
                      SELECT :owner, :id, :size, :pointer, :now
                       WHERE coalesce((SELECT bytes FROM upload_usage WHERE owner = :owner), 0)
                             + :size <= :limit
                      ON CONFLICT (owner, id) DO NOTHING""")
                  .param("owner", owner)
                  .param("id", id)
                  .param("size", (long) data.length)
                  .param("pointer", pointer.toString())
                  .param("now", Timestamp.from(now))
                  .param("limit", limit)
                  .update();
          if (inserted == 1) {
            if (!objects.exists(pointer.toString())) {
              objects.put(owner, id, data);
            }
            return new Accepted(new Upload(id, data.length, now), true);
          }
          Optional<Upload> raced = find(owner, id);
          if (raced.isPresent()) {
            if (known.isPresent()) {
              // the row's object was gone: it points at the one written again (an object removed
              // since went with its row, and whoever recorded the row again wrote it again)
              jdbc.sql(
                      "UPDATE uploaded_file SET pointer = :pointer"
                          + " WHERE owner = :owner AND id = :id")
                  .param("pointer", pointer.toString())
                  .param("owner", owner)
                  .param("id", id)
                  .update();
            }
            return new Accepted(raced.get(), known.isPresent());
          }
          // no row of these bytes: nothing of a refused upload is kept (one of the same bytes that
          // inserts its row later writes its object again under this lock)
          objects.remove(owner, id);
          return new OverQuota(used(owner), limit);
        });
  }

  /** What counting a task's copy of an upload answers. */
  public enum Copy {
    /** Counted in the client's quota (now or on an earlier try): the copy may be written. */
    COUNTED,
    /** The client no longer has the upload. */
    GONE,
    /** The copy would take the client past its quota. */
    OVER_QUOTA
  }

  /**
   * Counts a copy of {@code owner}'s upload {@code id} for {@code task} in the client's quota,
   * under the lock of its uploads, before the copy is written: a task's copies are the client's
   * bytes too, kept until the task is deleted. Counted once per task and upload however often it is
   * tried. Not in the client's turn: a pipeline worker never waits behind the client's uploads in
   * flight (their object writes are made in the turn, outside the lock), only for the lock's short
   * transactions.
   */
  public Copy countCopy(String owner, UUID task, String id) {
    long limit = properties.maxBytesPerClient().toBytes();
    return locks.locked(owner, () -> countCopyLocked(owner, task, id, limit));
  }

  private Copy countCopyLocked(String owner, UUID task, String id, long limit) {
    int inserted =
        jdbc.sql(
                """
                      INSERT INTO staged_upload (task_id, id, owner, size)
                      SELECT :task, u.id, u.owner, u.size FROM uploaded_file u
                       WHERE u.owner = :owner AND u.id = :id
                         AND coalesce((SELECT bytes FROM upload_usage WHERE owner = :owner), 0)
                             + u.size <= :limit
                      ON CONFLICT (task_id, id) DO NOTHING""")
            .param("task", task)
            .param("owner", owner)
            .param("id", id)
            .param("limit", limit)
            .update();
    if (inserted == 1
        || jdbc.sql("SELECT 1 FROM staged_upload WHERE task_id = :task AND id = :id")
            .param("task", task)
            .param("id", id)
            .query(Integer.class)
            .optional()
            .isPresent()) {
      return Copy.COUNTED;
    }
    return find(owner, id).isPresent() ? Copy.OVER_QUOTA : Copy.GONE;
  }

  /** {@code owner}'s upload {@code id}, if it has one. */
  public Optional<Upload> find(String owner, String id) {
    if (!isId(id)) {
      return Optional.empty();
    }
    return recorded(owner, id).map(Recorded::upload);
  }

  /** One upload and where its object is. */
  private record Recorded(Upload upload, String pointer) {}

  private Optional<Recorded> recorded(String owner, String id) {
    return jdbc.sql(
            "SELECT id, size, created_at, pointer FROM uploaded_file"
                + " WHERE owner = :owner AND id = :id")
        .param("owner", owner)
        .param("id", id)
        .query((rs, n) -> new Recorded(upload(rs), rs.getString("pointer")))
        .optional();
  }

  private static Upload upload(ResultSet rs) throws SQLException {
    return new Upload(
        rs.getString("id"), rs.getLong("size"), rs.getTimestamp("created_at").toInstant());
  }

  /** Which of {@code ids} {@code owner} has not uploaded (or deleted since). */
  public List<String> missing(String owner, List<String> ids) {
    List<String> known =
        jdbc.sql("SELECT id FROM uploaded_file WHERE owner = :owner AND id IN (:ids)")
            .param("owner", owner)
            .param("ids", ids)
            .query(String.class)
            .list();
    return ids.stream().filter(id -> !known.contains(id)).distinct().toList();
  }

  /** {@code owner}'s uploads, newest first, at most {@code limit}. */
  public List<Upload> list(String owner, int limit) {
    return jdbc.sql(
            "SELECT id, size, created_at FROM uploaded_file WHERE owner = :owner"
                + " ORDER BY created_at DESC, id LIMIT :limit")
        .param("owner", owner)
        .param("limit", limit)
        .query((rs, n) -> upload(rs))
        .list();
  }

  /**
   * How many bytes {@code owner} keeps: its uploads and its tasks' copies of them (one row, kept by
   * triggers).
   */
  public long used(String owner) {
    return jdbc.sql("SELECT bytes FROM upload_usage WHERE owner = :owner")
        .param("owner", owner)
        .query(Long.class)
        .optional()
        .orElse(0L);
  }

  /** The bytes of {@code owner}'s upload {@code id}, if it has it and they are still stored. */
  public Optional<byte[]> bytes(String owner, String id) {
    if (!isId(id)) {
      return Optional.empty();
    }
    return recorded(owner, id).flatMap(r -> objects.read(r.pointer()));
  }

  /**
   * Deletes {@code owner}'s upload {@code id} in the client's turn and under the lock of its
   * uploads: its row, and its object before that deletion commits (after it, an upload of the same
   * bytes recorded meanwhile by another instance would be left without its object), so that an
   * upload of the same bytes (which waits for the lock) finds neither and stores both again. A task
   * prepared before keeps its own copy. False when the client has no such upload.
   */
  public boolean delete(String owner, String id) {
    if (!isId(id)) {
      return false;
    }
    return locks.inTurnLocked(owner, () -> deleteLocked(owner, id));
  }

  private boolean deleteLocked(String owner, String id) {
    int deleted =
        jdbc.sql("DELETE FROM uploaded_file WHERE owner = :owner AND id = :id")
            .param("owner", owner)
            .param("id", id)
            .update();
    if (deleted == 1) {
      objects.remove(owner, id);
    }
    return deleted == 1;
  }

  /** How many of {@code owner}'s uploads and upload deletions this instance works on or holds. */
  public int inFlight(String owner) {
    return locks.inFlight(owner);
  }
}
