package io.batchexecutor.task;

import io.batchexecutor.config.ExecutorSettingsResolver;
import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.storage.ObjectStores;
import java.net.URI;
import java.util.Optional;

/**
 * The objects of clients' uploads: {@code <owner>}'s upload {@code <id>} at {@code
 * batch-executor/_uploads/<owner>/<id>/file} in the store new objects go to, the same key however
 * often the same bytes are written.
 */
final class UploadObjects {

  private final ObjectStores stores;
  private final ExecutorSettingsResolver settings;

  UploadObjects(ObjectStores stores, ExecutorSettingsResolver settings) {
    this.stores = stores;
    this.settings = settings;
  }

  /** Writes {@code owner}'s upload {@code id}; its pointer. */
  URI put(String owner, String id, byte[] data) {
    return stores.primary().put(bucket(), prefix(owner, id) + "file", data);
  }

  /** Whether the object at {@code pointer} is there (a HEAD). */
  boolean exists(String pointer) {
    return stores.size(pointer).isPresent();
  }

  /** The object at {@code pointer}, if it is there. */
  Optional<byte[]> read(String pointer) {
    return stores.get(pointer);
  }

  /** Removes the object of {@code owner}'s upload {@code id}; nothing there is not an error. */
  void remove(String owner, String id) {
    stores.deleteUnder(stores.primary().locate(bucket(), prefix(owner, id)).toString());
  }

  /** Where {@code owner}'s upload {@code id} is kept: its object, and nothing else, under it. */
  private static String prefix(String owner, String id) {
    return UploadedFiles.PREFIX + owner + "/" + id + "/";
  }

  private String bucket() {
    return settings.resolve(TaskSettings.none()).s3BucketName();
  }
}
