package io.batchexecutor.task;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * This instance's one PostgreSQL {@code LISTEN} connection, and what it hears passed on to whoever
 * subscribed: a task is due (submitted, or a lease given back, on any instance), a cancel was
 * requested, a task ended. A task's end is also passed on directly by the write that recorded it on
 * this instance ({@link #ended}), so a held answer here does not wait for the round trip through
 * the database; the notification serves every other instance. Reconnects after a lost connection;
 * subscribers keep a slow poll of their own for the gap.
 */
@Component
public class TaskNotifications implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(TaskNotifications.class);

  /** The channel that wakes claim loops: a task is due. */
  public static final String DUE_CHANNEL = "batch_executor_task_due";

  /** The channel that announces cancel requests to the instance holding the task. */
  public static final String CANCEL_CHANNEL = "batch_executor_task_cancel";

  /** The channel that announces a task's end: {@code <task id>} or {@code <task id>,<workflow>}. */
  public static final String ENDED_CHANNEL = "batch_executor_task_ended";

  /** What a subscriber hears; each method is called on the listening thread and must be quick. */
  public interface Subscriber {

    /** The listener is connected (again): anything said while it was not was missed. */
    default void connected() {}

    /** Some task may be due. */
    default void due() {}

    /** A cancel was requested for {@code task}. */
    default void cancelRequested(UUID task) {}

    /** {@code task} (of {@code workflow}, or {@code null}) reached a final status. */
    default void ended(UUID task, UUID workflow) {}
  }

  private final DataSource dataSource;
  private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
  private volatile boolean running;
  private volatile boolean listening;
  private Thread thread;

  public TaskNotifications(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  public void subscribe(Subscriber subscriber) {
    subscribers.add(subscriber);
  }

  public void unsubscribe(Subscriber subscriber) {
    subscribers.remove(subscriber);
  }

  /** Whether the {@code LISTEN} connection is up. */
  public boolean listening() {
    return listening;
  }

  /** Passes on the end of {@code task}, recorded on this instance, at once. */
  public void ended(UUID task, UUID workflow) {
    each(s -> s.ended(task, workflow));
  }

  /** The payload of an {@link #ENDED_CHANNEL} notification. */
  static String endedPayload(UUID task, UUID workflow) {
    return workflow == null ? task.toString() : task + "," + workflow;
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    thread = new Thread(this::listen, "task-notifications");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Stops listening and waits (briefly) until the connection is back in the pool, so that the pool
   * closing after this does not wait for it.
   */
  @Override
  public synchronized void stop() {
    running = false;
    if (thread != null) {
      Thread listener = thread;
      thread = null;
      listener.interrupt(); // ends a pause or a wait for a connection at once
      try {
        listener.join(1_000); // a wait for notifications ends within half a second
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    // up before the pipeline and the web server, down after them
    return SmartLifecycle.DEFAULT_PHASE - 2048;
  }

  private void listen() {
    while (running) {
      try (Connection connection = dataSource.getConnection()) {
        try (Statement statement = connection.createStatement()) {
          statement.execute("LISTEN " + DUE_CHANNEL);
          statement.execute("LISTEN " + CANCEL_CHANNEL);
          statement.execute("LISTEN " + ENDED_CHANNEL);
        }
        try {
          PGConnection pg = connection.unwrap(PGConnection.class);
          listening = true;
          each(Subscriber::connected);
          while (running) {
            PGNotification[] notifications = pg.getNotifications(500);
            if (notifications != null) {
              for (PGNotification n : notifications) {
                dispatch(n.getName(), n.getParameter());
              }
            }
          }
        } finally {
          unlisten(connection); // back in the pool, it must not go on collecting notifications
        }
      } catch (SQLException | RuntimeException e) {
        listening = false;
        if (running) {
          log.warn("Listening for task notifications failed ({}); reconnecting", e.getMessage());
          pause();
        }
      }
    }
    listening = false;
  }

  private static void unlisten(Connection connection) {
    try (Statement statement = connection.createStatement()) {
      statement.execute("UNLISTEN *");
    } catch (SQLException | RuntimeException e) {
      log.debug("Could not stop listening on a lost connection: {}", e.getMessage());
    }
  }

  /** Tells every subscriber; one that fails does not keep the others from hearing it. */
  private void each(java.util.function.Consumer<Subscriber> call) {
    for (Subscriber s : subscribers) {
      try {
        call.accept(s);
      } catch (RuntimeException e) {
        log.debug("A subscriber failed on a notification: {}", e.getMessage());
      }
    }
  }

  private void dispatch(String channel, String payload) {
    try {
      switch (channel) {
        case DUE_CHANNEL -> each(Subscriber::due);
        case CANCEL_CHANNEL -> {
          UUID task = UUID.fromString(payload);
          each(s -> s.cancelRequested(task));
          each(Subscriber::due); // the cancel is work for the claim loop too
        }
        case ENDED_CHANNEL -> {
          int comma = payload.indexOf(',');
          UUID task = UUID.fromString(comma < 0 ? payload : payload.substring(0, comma));
          UUID workflow = comma < 0 ? null : UUID.fromString(payload.substring(comma + 1));
          ended(task, workflow);
        }
        default -> log.debug("Ignoring a notification on {}", channel);
      }
    } catch (IllegalArgumentException e) {
      log.debug("Ignoring a notification on {} with payload {}", channel, payload);
    }
  }

  private void pause() {
    try {
      Thread.sleep(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
