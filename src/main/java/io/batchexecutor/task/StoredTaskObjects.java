package io.batchexecutor.task;

import io.batchexecutor.storage.ObjectStores;
import java.util.LinkedHashSet;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Removes everything a task stored (result, pickle, logs, build log, payload, sweep runs) from
 * whichever object store its pointers name, before its rows go.
 */
@Component
public class StoredTaskObjects {

  private final ObjectStores stores;

  public StoredTaskObjects(ObjectStores stores) {
    this.stores = stores;
  }

  /** Everything stored under the task's prefix, wherever its pointers say it is. */
  public void deleteAll(Task task) {
    String prefix = TaskObjects.key(task, "");
    Set<String> under = new LinkedHashSet<>();
    // a key ending in "/" is located as a prefix, ending in "/" too
    under.add(stores.primary().locate(task.settings().s3BucketName(), prefix).toString());
    for (String pointer : new String[] {task.resultPointer(), task.logsPointer()}) {
      if (pointer != null && pointer.contains(prefix)) {
        under.add(pointer.substring(0, pointer.indexOf(prefix) + prefix.length()));
      }
    }
    under.forEach(stores::deleteUnder);
  }
}
