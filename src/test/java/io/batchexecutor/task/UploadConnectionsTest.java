package io.batchexecutor.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.batchexecutor.config.ExecutorSettingsResolver;
import io.batchexecutor.storage.LocalObjectStore;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Sha256;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.TestPropertySource;

/**
 * Many uploads of one client at once, while the object store is slow to answer for it: they take
 * one connection of the pool between them (the others wait for the client's turn without one), and
 * another client's upload goes through meanwhile, with a pool smaller than the uploads in flight;
 * one more than the client may have in flight is refused at once.
 */
@ServiceTest
@Import(UploadConnectionsTest.SlowStore.class)
@TestPropertySource(
    properties = {
      "spring.datasource.hikari.maximum-pool-size=5",
      "spring.datasource.hikari.connection-timeout=2s",
      "batch-executor.files.uploads-per-client=" + UploadConnectionsTest.UPLOADS
    })
class UploadConnectionsTest {

  static final int UPLOADS = 8;

  @Autowired UploadedFiles uploads;
  @Autowired HeldObjectStore store;
  @Autowired DataSource dataSource;

  @Test
  void oneClientsUploadsTakeOneConnectionAndAnotherClientsUploadGoesThrough() throws Exception {
    String slow = "slow-" + UUID.randomUUID();
    HikariDataSource pool = dataSource.unwrap(HikariDataSource.class);
    CountDownLatch release = store.hold(slow);
    List<Thread> threads = new ArrayList<>();
    List<CompletableFuture<UploadedFiles.Stored>> stored = new ArrayList<>();
    // the test looks from a connection of its own, outside the pool
    try (Connection observer =
        DriverManager.getConnection(pool.getJdbcUrl(), pool.getUsername(), pool.getPassword())) {
      for (int i = 0; i < UPLOADS; i++) {
        byte[] data = ("upload " + i).getBytes(StandardCharsets.UTF_8);
        CompletableFuture<UploadedFiles.Stored> outcome = new CompletableFuture<>();
        Thread thread =
            new Thread(
                () -> {
                  try {
                    outcome.complete(uploads.store(slow, data));
                  } catch (RuntimeException e) {
                    outcome.completeExceptionally(e);
                  }
                });
        thread.start();
        threads.add(thread);
        stored.add(outcome);
      }
      assertThat(store.arrived.await(10, TimeUnit.SECONDS))
          .as("one upload asks the object store")
          .isTrue();
      await("the other uploads waiting: for the client's turn, a connection or the lock")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(20))
          .until(
              () ->
                  threads.stream().filter(UploadConnectionsTest::waitsForTurn).count()
                          + pool.getHikariPoolMXBean().getThreadsAwaitingConnection()
                          + count(
                              observer,
                              "SELECT count(*) FROM pg_locks WHERE NOT granted"
                                  + " AND locktype = 'advisory'")
                      >= UPLOADS - 1);

      assertThat(sessionsAt(observer, slow))
          .as("sessions holding or waiting for the lock of the client's uploads")
          .isEqualTo(1);
      assertThat(pool.getHikariPoolMXBean().getThreadsAwaitingConnection())
          .as("no thread waits for a connection")
          .isZero();

      assertThat(uploads.inFlight(slow))
          .as("every upload of the client in flight")
          .isEqualTo(UPLOADS);
      assertThatThrownBy(() -> uploads.store(slow, "one too many".getBytes(StandardCharsets.UTF_8)))
          .as("one upload more than uploads-per-client: refused, not kept waiting")
          .isInstanceOfSatisfying(
              SubmissionRefusedException.class, e -> assertThat(e.status()).isEqualTo(429));

      String quick = "quick-" + UUID.randomUUID();
      byte[] other = "another client".getBytes(StandardCharsets.UTF_8);
      assertThat(uploads.store(quick, other))
          .as("another client's upload goes through meanwhile")
          .isInstanceOf(UploadedFiles.Accepted.class);
      assertThat(uploads.bytes(quick, Sha256.hex(other))).hasValue(other);
    } finally {
      release.countDown();
    }
    for (int i = 0; i < UPLOADS; i++) {
      assertThat(stored.get(i).get(10, TimeUnit.SECONDS))
          .isInstanceOf(UploadedFiles.Accepted.class);
      byte[] data = ("upload " + i).getBytes(StandardCharsets.UTF_8);
      assertThat(uploads.bytes(slow, Sha256.hex(data))).hasValue(data);
    }
  }

  /** Whether {@code thread} is parked waiting for a client's turn (a fair lock). */
  private static boolean waitsForTurn(Thread thread) {
    Object blocker = LockSupport.getBlocker(thread);
    return blocker != null
        && blocker.getClass().getName().startsWith(ReentrantLock.class.getName());
  }

  /** How many sessions hold or wait for the advisory lock of {@code owner}'s uploads. */
  private static long sessionsAt(Connection observer, String owner) throws SQLException {
    return count(
        observer,
        """
        WITH k AS (SELECT hashtextextended('uploaded_file:%s', 0) AS v)
        SELECT count(DISTINCT l.pid) FROM pg_locks l, k
         WHERE l.locktype = 'advisory' AND l.objsubid = 1
           AND l.classid::bigint = (k.v >> 32) & 4294967295
           AND l.objid::bigint = k.v & 4294967295
        """
            .formatted(owner));
  }

  private static long count(Connection observer, String sql) throws SQLException {
    try (Statement statement = observer.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  /** The service's objects on the local store, whose HEADs of one client's uploads wait. */
  static final class HeldObjectStore extends LocalObjectStore {

    final CountDownLatch arrived = new CountDownLatch(1);
    private volatile String held;
    private volatile CountDownLatch release = new CountDownLatch(0);

    HeldObjectStore(Path root) {
      super(root);
    }

    /** Holds every HEAD of {@code owner}'s uploads until the latch returned is counted down. */
    CountDownLatch hold(String owner) {
      release = new CountDownLatch(1);
      held = owner;
      return release;
    }

    @Override
    public OptionalLong size(URI pointer) {
      String owner = held;
      if (owner != null && pointer.toString().contains(UploadedFiles.PREFIX + owner + "/")) {
        arrived.countDown();
        try {
          if (!release.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the object store was never released");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      return super.size(pointer);
    }
  }

  @TestConfiguration(proxyBeanMethods = false)
  static class SlowStore {

    @Bean
    HeldObjectStore heldObjectStore(ExecutorSettingsResolver settings) {
      return new HeldObjectStore(Path.of(settings.defaults().cacheDir(), "objects"));
    }

    @Bean
    @Primary
    ObjectStores heldObjectStores(HeldObjectStore store) {
      return new ObjectStores(store, List.of(store));
    }
  }
}
