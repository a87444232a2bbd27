package io.batchexecutor.backend.awsbatch.events;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs {@link ReceiveJobEvents} on a thread of its own until the service stops: a graceful stop
 * ends the long poll in progress. A failed round (SQS or the database) is logged with its message
 * only, and the loop waits before the next one, a second at first, doubling up to {@code
 * maxBackOff}; the poll every poll_freq seconds goes on meanwhile.
 */
public final class JobEventsLoop implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(JobEventsLoop.class);

  private final ReceiveJobEvents receiver;
  private final int waitSeconds;
  private final Duration maxBackOff;
  private volatile boolean running;
  private volatile Thread thread;
  private volatile String lastError;

  public JobEventsLoop(ReceiveJobEvents receiver, Duration wait, Duration maxBackOff) {
    this.receiver = receiver;
    this.waitSeconds = (int) Math.max(1, Math.min(20, wait.toSeconds()));
    this.maxBackOff = maxBackOff;
  }

  public ReceiveJobEvents receiver() {
    return receiver;
  }

  /** The last failure's message, until a round succeeds again; null when there is none. */
  public String lastError() {
    return lastError;
  }

  @Override
  public void start() {
    log.info("Receiving AWS Batch job state-change events from SQS; tasks are still polled");
    running = true;
    Thread t = new Thread(this::loop, "aws-batch-events");
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  @Override
  public void stop() {
    running = false;
    Thread t = thread;
    if (t != null) {
      t.interrupt();
      try {
        t.join(Duration.ofSeconds(5).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  private void loop() {
    Duration backOff = Duration.ofSeconds(1);
    while (running) {
      try {
        receiver.receiveOnce(receiver.hasPending() ? 1 : waitSeconds);
        lastError = null;
        backOff = Duration.ofSeconds(1);
      } catch (RuntimeException e) {
        if (!running) {
          return;
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        lastError = message.lines().findFirst().orElse("");
        log.warn(
            "Receiving AWS Batch job events failed; trying again in {} s (tasks are still polled):"
                + " {}",
            backOff.toSeconds(),
            lastError);
        try {
          Thread.sleep(backOff.toMillis());
        } catch (InterruptedException interrupted) {
          return;
        }
        backOff = backOff.multipliedBy(2);
        if (backOff.compareTo(maxBackOff) > 0) {
          backOff = maxBackOff;
        }
      }
    }
  }
}
