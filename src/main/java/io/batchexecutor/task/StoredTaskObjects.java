package io.batchexecutor.task;

import io.batchexecutor.storage.ObjectStores;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Removes everything a task stored (result, pickle, logs, build log, payload, sweep runs) from
 * whichever object store its pointers name, before its rows go. A task whose result a later
 * workflow run reuses ({@link Task#reusedFrom}) keeps its objects while a task that stays names it;
 * they go with the last task that names it, once the task itself is gone. A task whose workflow is
 * marked as being deleted does not stay: of two deletions sharing objects, the later to decide
 * (after both marks) deletes them, and both may.
 */
@Component
public class StoredTaskObjects {

  private final ObjectStores stores;
  private final TaskQueries queries;

  public StoredTaskObjects(ObjectStores stores, TaskQueries queries) {
    this.stores = stores;
    this.queries = queries;
  }

  /**
   * The objects of {@code going}, tasks whose rows are deleted next: each one's own, unless a task
   * not among them reuses its result; and those of a task they reused whose row is gone already (or
   * going with its workflow), unless a task not among them still reuses it too.
   */
  public void deleteAll(Collection<Task> going) {
    if (going.isEmpty()) {
      return;
    }
    Set<UUID> ids = new LinkedHashSet<>();
    going.forEach(t -> ids.add(t.id()));
    Map<UUID, String> holders = new LinkedHashMap<>(); // a reused task's holder -> its result
    going.stream()
        .filter(t -> t.reusedFrom() != null && !ids.contains(t.reusedFrom()))
        .forEach(t -> holders.putIfAbsent(t.reusedFrom(), t.resultPointer()));
    Set<UUID> asked = new LinkedHashSet<>(ids);
    asked.addAll(holders.keySet());
    Set<UUID> kept = queries.stillReused(asked, ids);
    for (Task task : going) {
      if (!kept.contains(task.id())) {
        deleteAll(task);
      }
    }
    Set<UUID> holdersLeft =
        holders.isEmpty() ? Set.of() : queries.staying(List.copyOf(holders.keySet()));
    holders.forEach(
        (holder, pointer) -> {
          if (!kept.contains(holder) && !holdersLeft.contains(holder) && pointer != null) {
            String own = "/" + holder + "/";
            int at = pointer.indexOf(own);
            if (at >= 0) {
              stores.deleteUnder(pointer.substring(0, at + own.length()));
            }
          }
        });
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
