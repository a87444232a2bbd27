package io.batchexecutor.api;

import io.batchexecutor.config.FileTransferProperties;
import io.batchexecutor.runner.RunnerContract;
import io.batchexecutor.storage.ObjectStore;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.task.FileTransfer;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskNotFoundException;
import io.batchexecutor.task.TaskObjects;
import io.batchexecutor.task.TaskQueries;
import io.batchexecutor.task.TaskStatus;
import io.batchexecutor.task.UploadedFiles;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.InputStream;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.UUID;
import org.springframework.core.io.InputStreamResource;
import org.springframework.core.io.Resource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Files a client uploads for its tasks, and the files its tasks kept for it. An upload is kept
 * under the client's own prefix of the object store, within its quota, and named by the SHA-256 of
 * its bytes; a task names it in its {@code files} to find it in its container before its function
 * runs. Every read names the caller: another client's upload or task file is answered 404, as one
 * that does not exist.
 */
@RestController
@Tag(name = "Files", description = "Upload files for tasks; download the files tasks kept")
@ApiResponse(
    responseCode = "500",
    description = "The service failed; the problem names an incident id found in its log")
public class FileController {

  private static final String TOO_MANY_UPLOADS =
      "The client has uploads-per-client calls in flight (too-many-uploads): try after Retry-After";

  private final UploadedFiles uploads;
  private final FileTransferProperties properties;
  private final TaskQueries tasks;
  private final ObjectStores stores;
  private final Caller caller;

  public FileController(
      UploadedFiles uploads,
      FileTransferProperties properties,
      TaskQueries tasks,
      ObjectStores stores,
      Caller caller) {
    this.uploads = uploads;
    this.properties = properties;
    this.tasks = tasks;
    this.stores = stores;
    this.caller = caller;
  }

  /**
   * One upload.
   *
   * @param id the SHA-256 of the file's bytes, which a task's files name
   * @param size its size in bytes
   * @param createdAt when it was first uploaded
   */
  public record UploadView(
      @Schema(example = "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae")
          String id,
      long size,
      Instant createdAt) {

    static UploadView of(UploadedFiles.Upload u) {
      return new UploadView(u.id(), u.size(), u.createdAt());
    }
  }

  /**
   * The client's uploads and its quota.
   *
   * @param files the uploads, newest first (at most 1000)
   * @param usedBytes the bytes they and the tasks' copies of them take in all
   * @param maxBytes the client's quota (batch-executor.files.max-bytes-per-client)
   * @param maxFileSize the largest file one upload may be
   */
  public record UploadList(
      List<UploadView> files, long usedBytes, long maxBytes, long maxFileSize) {}

  @PostMapping(
      path = "/api/v1/files",
      consumes = MediaType.APPLICATION_OCTET_STREAM_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      operationId = "uploadFile",
      summary = "Upload a file for tasks",
      description =
          "Stores the body's bytes under the client's own prefix of the object store and answers"
              + " its id, the SHA-256 of the bytes, which a task names in files[].upload. The same"
              + " bytes uploaded again are the same upload (200). Counted against the client's"
              + " quota until deleted.",
      requestBody =
          @RequestBody(
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_OCTET_STREAM_VALUE,
                      schema = @Schema(type = "string", format = "binary"))))
  @ApiResponse(responseCode = "201", description = "Stored; Location names the upload")
  @ApiResponse(responseCode = "200", description = "The client had uploaded these bytes already")
  @ApiResponse(
      responseCode = "413",
      description =
          "Larger than batch-executor.files.max-file-size (file-too-large) or the request limit"
              + " (request-too-large), or over the client's quota (upload-quota-exceeded)")
  @ApiResponse(responseCode = "429", description = TOO_MANY_UPLOADS)
  public ResponseEntity<UploadView> upload(
      @org.springframework.web.bind.annotation.RequestBody(required = false) byte[] body) {
    byte[] data = body == null ? new byte[0] : body;
    long max = properties.maxFileSize().toBytes();
    if (data.length > max) {
      throw new ProblemException(
              HttpStatus.CONTENT_TOO_LARGE,
              Problems.FILE_TOO_LARGE,
              "File too large",
              "the file has "
                  + data.length
                  + " bytes; an upload may have at most "
                  + max
                  + " (batch-executor.files.max-file-size)")
          .withProperty("max_file_size", max);
    }
    String owner = caller.current();
    UploadedFiles.Stored stored = uploads.store(owner, data);
    if (stored instanceof UploadedFiles.OverQuota over) {
      throw new ProblemException(
              HttpStatus.CONTENT_TOO_LARGE,
              Problems.UPLOAD_QUOTA_EXCEEDED,
              "Upload quota exceeded",
              "the client keeps "
                  + over.used()
                  + " bytes of uploads and of its tasks' copies of them; with these "
                  + data.length
                  + " it would pass its quota of "
                  + over.limit()
                  + " (batch-executor.files.max-bytes-per-client): delete uploads or finished"
                  + " tasks it no longer needs")
          .withProperty("used_bytes", over.used())
          .withProperty("max_bytes", over.limit());
    }
    UploadedFiles.Accepted accepted = (UploadedFiles.Accepted) stored;
    return ResponseEntity.status(accepted.created() ? HttpStatus.CREATED : HttpStatus.OK)
        .location(URI.create("/api/v1/files/" + accepted.upload().id()))
        .body(UploadView.of(accepted.upload()));
  }

  @GetMapping(path = "/api/v1/files", produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      operationId = "listFiles",
      summary = "The client's uploads and its quota",
      description = "The caller's own uploads only, newest first (at most 1000).")
  @ApiResponse(responseCode = "200", description = "The uploads")
  public UploadList list() {
    String owner = caller.current();
    return new UploadList(
        uploads.list(owner, 1000).stream().map(UploadView::of).toList(),
        uploads.used(owner),
        properties.maxBytesPerClient().toBytes(),
        properties.maxFileSize().toBytes());
  }

  @GetMapping(
      path = "/api/v1/files/{id}",
      produces = {MediaType.APPLICATION_OCTET_STREAM_VALUE, MediaType.APPLICATION_JSON_VALUE})
  @Operation(
      operationId = "getFile",
      summary = "The bytes of one of the client's uploads",
      description =
          "The bytes as uploaded. Only the caller's own uploads: another client's id is answered"
              + " 404, as one never uploaded.")
  @ApiResponse(
      responseCode = "200",
      description = "The bytes",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_OCTET_STREAM_VALUE,
              schema = @Schema(type = "string", format = "binary")))
  @ApiResponse(responseCode = "404", description = "The client has no such upload")
  public ResponseEntity<byte[]> get(
      @Parameter(description = "The upload's id") @PathVariable String id) {
    byte[] bytes = uploads.bytes(caller.current(), id).orElseThrow(() -> uploadNotFound(id));
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM).body(bytes);
  }

  @DeleteMapping(path = "/api/v1/files/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      operationId = "deleteFile",
      summary = "Delete one of the client's uploads",
      description =
          "Frees its bytes from the client's quota. A task accepted before keeps the copy it was"
              + " given when it was prepared; one not prepared yet fails (UploadNotFound).")
  @ApiResponse(responseCode = "204", description = "Deleted")
  @ApiResponse(responseCode = "404", description = "The client has no such upload")
  @ApiResponse(responseCode = "429", description = TOO_MANY_UPLOADS)
  public ResponseEntity<Void> delete(
      @Parameter(description = "The upload's id") @PathVariable String id) {
    if (!uploads.delete(caller.current(), id)) {
      throw uploadNotFound(id);
    }
    return ResponseEntity.noContent().build();
  }

  @GetMapping(
      path = "/api/v1/tasks/{id}/files/{index}",
      produces = {MediaType.APPLICATION_OCTET_STREAM_VALUE, MediaType.APPLICATION_JSON_VALUE})
  @Operation(
      operationId = "getTaskFile",
      summary = "A file the task kept for the client",
      description =
          "The file at files[index].path in the task's container once its function returned, for"
              + " a transfer of order after without s3.")
  @ApiResponse(
      responseCode = "200",
      description = "The bytes",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_OCTET_STREAM_VALUE,
              schema = @Schema(type = "string", format = "binary")))
  @ApiResponse(
      responseCode = "404",
      description = "No such task, or files[index] keeps no file for the client (file-not-found)")
  @ApiResponse(
      responseCode = "409",
      description = "Not finished (task-not-finished), or failed or cancelled (task-failed)")
  public ResponseEntity<Resource> taskFile(
      @Parameter(description = "The task's id") @PathVariable UUID id,
      @Parameter(description = "The transfer's index in the task's files") @PathVariable
          int index) {
    Task task =
        tasks.findOwned(id, caller.current()).orElseThrow(() -> new TaskNotFoundException(id));
    List<FileTransfer> files = task.spec().files();
    if (files == null || index < 0 || index >= files.size() || !files.get(index).kept()) {
      throw new ProblemException(
          HttpStatus.NOT_FOUND,
          Problems.FILE_NOT_FOUND,
          "No such file",
          "files[" + index + "] of task " + id + " keeps no file for the client");
    }
    if (!task.status().isFinal()) {
      throw new ProblemException(
          HttpStatus.CONFLICT,
          Problems.TASK_NOT_FINISHED,
          "Task not finished",
          "task " + id + " is " + task.status() + "; its files are there once it SUCCEEDED");
    }
    if (task.status() != TaskStatus.SUCCEEDED || !TaskObjects.isResult(task.resultPointer())) {
      throw new ProblemException(
          HttpStatus.CONFLICT,
          Problems.TASK_FAILED,
          "Task has no files",
          "task " + id + " is " + task.status() + ": " + task.statusReason());
    }
    String pointer = TaskObjects.besideResult(task.resultPointer(), RunnerContract.keptFile(index));
    // streamed from the store, never read whole into memory
    OptionalLong size = stores.size(pointer);
    InputStream body =
        size.isEmpty() ? null : stores.open(pointer, 0, ObjectStore.END).orElse(null);
    if (body == null) {
      throw new ProblemException(
          HttpStatus.NOT_FOUND,
          Problems.FILE_NOT_FOUND,
          "No such file",
          "the file of files[" + index + "] of task " + id + " is not stored");
    }
    return ResponseEntity.ok()
        .contentType(MediaType.APPLICATION_OCTET_STREAM)
        .contentLength(size.getAsLong())
        .body(new InputStreamResource(body));
  }

  private static ProblemException uploadNotFound(String id) {
    return new ProblemException(
        HttpStatus.NOT_FOUND,
        Problems.UPLOAD_NOT_FOUND,
        "No such upload",
        "the client has no upload " + id);
  }
}
