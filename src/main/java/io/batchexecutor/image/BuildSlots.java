package io.batchexecutor.image;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How many of each client's tasks may be in an image build at once on this instance (building, or
 * waiting for the same image's build): each holds a worker while it does, so one client's slow
 * builds must not take every worker from the others. A task that finds no slot free is given back
 * to the queue to try again shortly, holding no worker meanwhile.
 */
public final class BuildSlots {

  private final int perClient;
  private final Map<String, Integer> taken = new HashMap<>();

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

  /** A slot of {@code client}'s, or empty when all of them are taken. */
  public synchronized Optional<Slot> take(String client) {
    int now = taken.getOrDefault(client, 0);
    if (now >= perClient) {
      return Optional.empty();
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
