package io.batchexecutor.backend;

import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.task.FileTransfer;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskObjects;
import io.batchexecutor.task.UploadedFiles;
import java.util.Optional;

/**
 * Copies each upload a task's {@code files} name from its client's uploads to {@code uploads/<id>}
 * under the task's prefix, where the runner (AWS Batch) or the local backend (into the container)
 * takes it: the task keeps its own copy, whatever the client deletes later, and it goes with the
 * task's other objects. Each copy is counted in the client's quota before it is written, until the
 * task is deleted: a copy over the quota fails the task. The same bytes under the same key however
 * often it runs.
 */
final class StageUploads {

  private final ObjectStores stores;
  private final UploadedFiles uploads;

  /** {@code uploads} {@code null}: none can be staged, and a task naming one fails. */
  StageUploads(ObjectStores stores, UploadedFiles uploads) {
    this.stores = stores;
    this.uploads = uploads;
  }

  /**
   * Stages {@code task}'s uploads beside its payload.
   *
   * @throws UploadGoneException when one was deleted after the task was accepted, or its copy would
   *     take the client past its quota
   */
  void stage(Task task) {
    if (!task.spec().hasFiles()) {
      return;
    }
    for (FileTransfer file : task.spec().files()) {
      if (file.upload() == null) {
        continue;
      }
      UploadedFiles.Copy copy =
          uploads == null
              ? UploadedFiles.Copy.GONE
              : uploads.countCopy(task.owner(), task.id(), file.upload());
      if (copy == UploadedFiles.Copy.OVER_QUOTA) {
        throw new UploadGoneException(
            "UploadQuotaExceeded",
            "the task's copy of the upload "
                + file.upload()
                + " for "
                + file.path()
                + " would take its client past its quota"
                + " (batch-executor.files.max-bytes-per-client), which counts the copies its tasks"
                + " keep until they are deleted: delete finished tasks or uploads");
      }
      byte[] bytes =
          (copy == UploadedFiles.Copy.GONE
                  ? Optional.<byte[]>empty()
                  : uploads.bytes(task.owner(), file.upload()))
              .orElseThrow(
                  () ->
                      new UploadGoneException(
                          "UploadNotFound",
                          "the upload "
                              + file.upload()
                              + " for "
                              + file.path()
                              + " is gone: it was deleted after the task was accepted"));
      stores
          .primary()
          .put(
              task.settings().s3BucketName(),
              TaskObjects.key(task, TaskInputs.UPLOADS + "/" + file.upload()),
              bytes);
    }
  }

  /**
   * An upload a task names was deleted before the task was prepared ({@code UploadNotFound}), or
   * its copy is over the client's quota ({@code UploadQuotaExceeded}).
   */
  static final class UploadGoneException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String kind;

    UploadGoneException(String kind, String message) {
      super(message);
      this.kind = kind;
    }

    /** The type of the task's error. */
    String kind() {
      return kind;
    }
  }
}
