package io.batchexecutor.workflow;

import io.batchexecutor.storage.ObjectStores;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Looks up whether results are still stored, a few at once on threads of the caller's own, under a
 * deadline. Only an answer that the object is gone counts as gone: a result not looked up by the
 * deadline, or whose lookup failed, is counted as stored (reused unchecked, as it would be without
 * the lookup), so a slow or failing object store neither holds a re-run nor makes it run everything
 * again.
 */
@Component
class ResultLookup {

  private static final Logger log = LoggerFactory.getLogger(ResultLookup.class);

  private final ObjectStores stores;

  ResultLookup(ObjectStores stores) {
    this.stores = stores;
  }

  /**
   * Of {@code pointers} (a task's key to its result's pointer), the keys whose objects are gone,
   * looked up at most {@code parallel} at once until {@code until} ({@link System#nanoTime()}).
   */
  Set<String> missing(Map<String, String> pointers, int parallel, long until) {
    Set<String> missing = new LinkedHashSet<>();
    long left = until - System.nanoTime();
    if (pointers.isEmpty() || left <= 0) {
      return missing;
    }
    List<String> keys = new ArrayList<>(pointers.keySet());
    List<Callable<Boolean>> lookups = new ArrayList<>();
    keys.forEach(k -> lookups.add(() -> stores.size(pointers.get(k)).isEmpty()));
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallel, keys.size()), threads());
    try {
      List<Future<Boolean>> answers = pool.invokeAll(lookups, left, TimeUnit.NANOSECONDS);
      int unanswered = 0;
      Throwable failure = null; // the first, logged once: a store that fails fails them all
      for (int i = 0; i < keys.size(); i++) {
        try {
          if (answers.get(i).get()) {
            missing.add(keys.get(i));
          }
        } catch (CancellationException | ExecutionException e) {
          unanswered++;
          if (failure == null && e instanceof ExecutionException) {
            failure = e.getCause();
          }
        }
      }
      if (unanswered > 0) {
        log.warn(
            "{} of {} results not looked up (failed or late); reused unchecked",
            unanswered,
            keys.size(),
            failure);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      pool.shutdownNow();
    }
    return missing;
  }

  private static ThreadFactory threads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "result-lookup-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
