package io.batchexecutor.image;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How many of each client's tasks may be in an image build at once on this instance (building, or
 * waiting for the same image's build): each holds a worker while it does, so one client's slow
 * builds must not take every worker from the others. A task that finds no slot free is given back
 * to the queue to try again shortly, holding no worker meanwhile; the more of the client's tasks
 * wait, the longer each waits before it looks again, so a long line of them does not keep the queue
 * busy.
 */
public final class BuildSlots {

  /** How long a task counts as waiting after it last found no slot. */
  private static final long WAITING_FOR_NANOS = Duration.ofMinutes(1).toNanos();

  private final int perClient;
  private final Map<String, Integer> taken = new HashMap<>();

  /** The tasks of each client that found no slot, and when they last did (nanoTime). */
  private final Map<String, Map<Object, Long>> waiting = new HashMap<>();

  /**
   * @param perClient how many slots each client has
   */
  public BuildSlots(int perClient) {
    if (perClient < 1) {
      throw new IllegalArgumentException("a client needs at least one build slot");
    }
    this.perClient = perClient;
  }

  /** One slot taken; closing it gives it back. */
  public interface Slot extends AutoCloseable {
    @Override
    void close();
  }

  /** How many slots each client has. */
  public int perClient() {
    return perClient;
  }

  /** Whether {@code client} has a slot free now (without taking it). */
  public synchronized boolean free(String client) {
    return taken.getOrDefault(client, 0) < perClient;
  }

  /**
   * {@code task} of {@code client} found no slot: how long it waits before it looks again — {@code
   * base} for every {@link #perClient} of the client's tasks waiting now, at most {@code max}.
   */
  public synchronized Duration waitFor(String client, Object task, Duration base, Duration max) {
    Map<Object, Long> tasks = waiting.computeIfAbsent(client, c -> new HashMap<>());
    long now = System.nanoTime();
    tasks.values().removeIf(seen -> now - seen > WAITING_FOR_NANOS);
    tasks.put(task, now);
    long rounds = (tasks.size() + perClient - 1) / perClient;
    Duration wait = base.multipliedBy(Math.max(1, rounds));
    return wait.compareTo(max) > 0 ? max : wait;
  }

  /** A slot of {@code client}'s for {@code task}, or empty when all of them are taken. */
  public synchronized Optional<Slot> take(String client, Object task) {
    int now = taken.getOrDefault(client, 0);
    if (now >= perClient) {
      return Optional.empty();
    }
    Map<Object, Long> tasks = waiting.get(client);
    if (tasks != null) {
      tasks.remove(task);
      if (tasks.isEmpty()) {
        waiting.remove(client);
      }
    }
    taken.put(client, now + 1);
    boolean[] given = {false};
    return Optional.of(
        () -> {
          synchronized (this) {
            if (!given[0]) {
              given[0] = true;
              taken.computeIfPresent(client, (c, n) -> n <= 1 ? null : n - 1);
            }
          }
        });
  }
}
