package io.batchexecutor.backend.local;

import io.batchexecutor.backend.SweepResults;
import io.batchexecutor.storage.ObjectStore;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.task.Sweep;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskObjects;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The output of a sweep's runs: each run's stored beside its outcome ({@code output.log}), and all
 * of them one after another as the task's logs, each within {@code max-log-size}, streamed through
 * files and never held in memory.
 */
final class SweepLogs {

  /** Each run's output, beside its outcome. */
  static final String LOG = "output.log";

  private final LocalContainers containers;
  private final ObjectStores stores;

  SweepLogs(LocalContainers containers, ObjectStores stores) {
    this.containers = containers;
    this.stores = stores;
  }

  /** Stores what run {@code index}'s container printed, within {@code max-log-size}. */
  void store(Task task, int index, String id) throws InterruptedException {
    try (BoundedLog output = containers.logs.take(id)) {
      stores
          .primary()
          .put(task.settings().s3BucketName(), SweepResults.key(task, index, LOG), output.finish());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the output of container " + id, e);
    }
  }

  /**
   * Every run's output, each under a heading with its combination, stored as the task's logs: the
   * runs' stored logs streamed one after another into a log with the same bound as each run's.
   */
  String storeAll(Task task, int runs) {
    try (BoundedLog logs = new BoundedLog(containers.logs.maxBytes())) {
      for (int i = 0; i < runs; i++) {
        logs.write(
            ("=== combination " + i + " " + Sweep.combination(task.spec().sweep(), i) + " ===\n")
                .getBytes(StandardCharsets.UTF_8));
        Optional<InputStream> run =
            stores.open(SweepResults.pointer(task, stores, i, LOG), 0, ObjectStore.END);
        if (run.isPresent()) {
          try (InputStream in = run.get()) {
            in.transferTo(logs);
          }
        }
      }
      return stores
          .primary()
          .put(task.settings().s3BucketName(), TaskObjects.key(task, "logs.txt"), logs.finish())
          .toString();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the output of the sweep's runs", e);
    }
  }
}
