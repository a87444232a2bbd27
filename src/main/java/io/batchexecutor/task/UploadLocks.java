package io.batchexecutor.task;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The two locks of a client's uploads, taken in this order. First the client's turn inside this
 * instance, first come first served: a thread waiting for it holds nothing else, no database
 * connection in particular, so that however many uploads one client sends at once they take at most
 * one of the pool's connections, and other clients take theirs meanwhile. A client's entry lives
 * only while some thread holds or waits for its turn: the map does not grow with every client ever
 * seen. Then, in the turn, a transaction holding the client's advisory lock in the database, which
 * orders the instances sharing it.
 *
 * <p>A thread waiting for a turn holds a request thread all the same: a client that already has
 * {@code perClient} calls in its turn or waiting for it on this instance has a further one refused
 * at once ({@link SubmissionRefusedException#tooManyUploads}), so that one client's burst cannot
 * take the request threads every client's calls share.
 */
final class UploadLocks {

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final int perClient;
  private final ConcurrentHashMap<String, Turn> turns = new ConcurrentHashMap<>();

  UploadLocks(JdbcClient jdbc, TransactionTemplate tx, int perClient) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.perClient = perClient;
  }

  /** One client's lock, and how many threads hold it or wait for it (changed only in the map). */
  private static final class Turn {
    final ReentrantLock lock = new ReentrantLock(true);
    volatile int users;
  }

  /**
   * Runs {@code work} in {@code owner}'s turn, after the work of the client that came before; at
   * once refused when the client has {@code perClient} calls holding or waiting for it already.
   */
  <T> T inTurn(String owner, Supplier<T> work) {
    boolean[] full = {false};
    Turn turn =
        turns.compute(
            owner,
            (k, t) -> {
              if (t != null && t.users >= perClient) {
                full[0] = true;
                return t;
              }
              Turn used = t == null ? new Turn() : t;
              used.users++;
              return used;
            });
    if (full[0]) {
      throw SubmissionRefusedException.tooManyUploads(perClient);
    }
    try {
      try {
        turn.lock.lockInterruptibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the client's uploads", e);
      }
      try {
        return work.get();
      } finally {
        turn.lock.unlock();
      }
    } finally {
      turns.computeIfPresent(owner, (k, t) -> --t.users == 0 ? null : t);
    }
  }

  /**
   * Runs {@code work} in a transaction that holds the database lock of {@code owner}'s uploads
   * until it ends; called in the client's turn, so that only one connection waits for the lock.
   */
  <T> T locked(String owner, Supplier<T> work) {
    return tx.execute(
        status -> {
          jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")
              .param("key", "uploaded_file:" + owner)
              .query()
              .singleRow();
          return work.get();
        });
  }

  /** {@link #locked} in {@code owner}'s turn. */
  <T> T inTurnLocked(String owner, Supplier<T> work) {
    return inTurn(owner, () -> locked(owner, work));
  }

  /** How many calls of {@code owner} hold or wait for its turn now. */
  int inFlight(String owner) {
    Turn turn = turns.get(owner);
    return turn == null ? 0 : turn.users;
  }

  /** How many clients have a turn held or waited for now. */
  int clients() {
    return turns.size();
  }
}
