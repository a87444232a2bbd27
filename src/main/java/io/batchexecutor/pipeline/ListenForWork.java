package io.batchexecutor.pipeline;

import io.batchexecutor.task.TaskRepository;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on PostgreSQL's NOTIFY channels, so that a task submitted to any instance, or a lease
 * given back, wakes this instance's claim loop at once, and a cancel request reaches the instance
 * that works on the task. Reconnects after a lost connection; the claim loop's slow poll covers the
 * gap.
 */
final class ListenForWork implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(ListenForWork.class);

  private final DataSource dataSource;
  private final WakeUp wakeUp;
  private final InFlightTasks inFlight;
  private volatile boolean running = true;
  private volatile boolean listening;

  ListenForWork(DataSource dataSource, WakeUp wakeUp, InFlightTasks inFlight) {
    this.dataSource = dataSource;
    this.wakeUp = wakeUp;
    this.inFlight = inFlight;
  }

  void stop() {
    running = false;
  }

  boolean listening() {
    return listening;
  }

  @Override
  public void run() {
    while (running) {
      try (Connection connection = dataSource.getConnection()) {
        try (Statement statement = connection.createStatement()) {
          statement.execute("LISTEN " + TaskRepository.DUE_CHANNEL);
          statement.execute("LISTEN " + TaskRepository.CANCEL_CHANNEL);
        }
        PGConnection pg = connection.unwrap(PGConnection.class);
        listening = true;
        wakeUp.signal(); // anything submitted while we were not listening
        while (running) {
          PGNotification[] notifications = pg.getNotifications(500);
          if (notifications == null) {
            continue;
          }
          for (PGNotification n : notifications) {
            if (TaskRepository.CANCEL_CHANNEL.equals(n.getName())) {
              cancelRequested(n.getParameter());
            }
          }
          wakeUp.signal();
        }
      } catch (SQLException | RuntimeException e) {
        listening = false;
        if (running) {
          log.warn("Listening for new tasks failed ({}); reconnecting", e.getMessage());
          pause();
        }
      }
    }
    listening = false;
  }

  private void cancelRequested(String payload) {
    try {
      inFlight.requestStop(UUID.fromString(payload));
    } catch (IllegalArgumentException e) {
      log.debug("Ignoring a cancel notification with payload {}", payload);
    }
  }

  private void pause() {
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }
}
