package io.batchexecutor.pipeline;

import java.util.concurrent.locks.ReentrantLock;

/**
 * A fixed set of locks picked by key: work on one key (an image, a job definition) waits for other
 * work on the same key within this instance, while memory stays bounded however many keys there
 * are. Two keys may share a lock; that only serialises them.
 */
public final class KeyedLocks {

  private final ReentrantLock[] locks;

  public KeyedLocks(int stripes) {
    locks = new ReentrantLock[stripes];
    for (int i = 0; i < stripes; i++) {
      locks[i] = new ReentrantLock();
    }
  }

  /** The lock for {@code key}. */
  public ReentrantLock of(String key) {
    return locks[Math.floorMod(key.hashCode(), locks.length)];
  }
}
