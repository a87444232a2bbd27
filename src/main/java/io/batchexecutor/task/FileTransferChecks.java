package io.batchexecutor.task;

import io.batchexecutor.config.FileTransferProperties;
import io.batchexecutor.config.PayloadMode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * What acceptance checks of a task's {@code files}: each transfer well formed, an upload the
 * client's own, an S3 transfer only on a backend that does them ({@link
 * BackendTerms#transfersS3Files}), and no more than {@code batch-executor.files.max-per-task}.
 */
@Component
public class FileTransferChecks {

  /** The kind of a transfer the task's backend does not do (an S3 transfer on the local engine). */
  public static final String NOT_SUPPORTED = "file-transfer-not-supported";

  /** The kind of an S3 transfer into or out of the service's own objects. */
  public static final String RESERVED_S3 = "file-transfer-reserved";

  /** The kind of an upload id the client does not have. */
  public static final String UPLOAD_NOT_FOUND = "upload-not-found";

  private static final Pattern S3_URI =
      Pattern.compile("s3://[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]/.+");

  /** Where the runner keeps its own files: no transfer may name them. */
  private static final List<String> RESERVED = List.of("/batch-executor", "/batch-executor-files");

  private final UploadedFiles uploads;
  private final FileTransferProperties properties;

  public FileTransferChecks(UploadedFiles uploads, FileTransferProperties properties) {
    this.uploads = uploads;
    this.properties = properties;
  }

  /**
   * Every problem with {@code request}'s files on {@code backend}, each naming its field ({@code
   * files[i].path}, ...); empty when it has none or they may be accepted. An S3 transfer may not
   * name the service's own objects, {@code batch-executor/...} in any of {@code serviceBuckets}
   * (the task's bucket, the uploads' and the execution profiles'): they hold every client's
   * payloads, results and uploads, and a job role may be shared by several clients.
   */
  public List<InvalidTaskException.Violation> problems(
      NewTask request,
      BackendTerms backend,
      PayloadMode defaultPayload,
      List<String> serviceBuckets) {
    List<FileTransfer> files = request.spec().files();
    List<InvalidTaskException.Violation> problems = new ArrayList<>();
    if (files == null || files.isEmpty()) {
      return problems;
    }
    if (files.size() > properties.maxPerTask()) {
      problems.add(
          new InvalidTaskException.Violation(
              "files",
              "names "
                  + files.size()
                  + " transfers; a task may name at most "
                  + properties.maxPerTask()
                  + " (batch-executor.files.max-per-task)"));
      return problems;
    }
    if (request.spec().hasSweep()) {
      problems.add(
          new InvalidTaskException.Violation(
              "files", "cannot be given with a sweep: its runs would share the files"));
    }
    TaskSpec.ImageSpec image = request.spec().image();
    String payload =
        image != null && image.payload() != null ? image.payload() : defaultPayload.value();
    if (PayloadMode.BAKED.value().equals(payload)) {
      problems.add(
          new InvalidTaskException.Violation(
              "files",
              "needs the staged payload mode (image.payload: staged): a baked image carries the"
                  + " call, not the files"));
    }
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      FileTransfer f = files.get(i);
      String at = "files[" + i + "]";
      if (f == null) {
        problems.add(new InvalidTaskException.Violation(at, "must be an object"));
        continue;
      }
      pathProblem(f.path())
          .ifPresent(p -> problems.add(new InvalidTaskException.Violation(at + ".path", p)));
      if (f.order() != null && !FileTransfer.BEFORE.equals(f.order()) && !f.after()) {
        problems.add(new InvalidTaskException.Violation(at + ".order", "must be before or after"));
        continue;
      }
      if (f.upload() != null && f.s3() != null) {
        problems.add(
            new InvalidTaskException.Violation(at, "names both upload and s3: give one source"));
        continue;
      }
      if (f.after() && f.upload() != null) {
        problems.add(
            new InvalidTaskException.Violation(
                at + ".upload",
                "is a source: a file taken after the function (order after) goes to s3 or is"
                    + " kept for the client"));
      }
      if (!f.after() && f.upload() == null && f.s3() == null) {
        problems.add(
            new InvalidTaskException.Violation(
                at, "needs a source before the function runs: upload or s3"));
      }
      if (f.upload() != null) {
        if (!UploadedFiles.isId(f.upload())) {
          problems.add(
              new InvalidTaskException.Violation(
                  at + ".upload", "must be the id of an upload: 64 lowercase hex digits"));
        } else {
          ids.add(f.upload());
        }
      }
      if (f.s3() != null) {
        if (!S3_URI.matcher(f.s3()).matches()) {
          problems.add(
              new InvalidTaskException.Violation(
                  at + ".s3", "must be an S3 object URI: s3://<bucket>/<key>"));
        } else if (isServices(f.s3(), serviceBuckets)) {
          problems.add(
              new InvalidTaskException.Violation(
                  at + ".s3",
                  "must not name the service's own objects (s3://<bucket>/"
                      + TaskObjects.PREFIX
                      + "/... in its buckets): they hold every client's payloads, results and"
                      + " uploads",
                  RESERVED_S3));
        } else if (!backend.transfersS3Files()) {
          problems.add(
              new InvalidTaskException.Violation(
                  at + ".s3",
                  "cannot be transferred on the "
                      + backend.name()
                      + " backend: S3 transfers run in the task's container with its execution"
                      + " profile's role, on AWS Batch only; here give the file as an upload"
                      + " (POST /api/v1/files)",
                  NOT_SUPPORTED));
        }
      }
    }
    if (!ids.isEmpty()) {
      List<String> missing = uploads.missing(request.owner(), ids);
      for (int i = 0; i < files.size(); i++) {
        FileTransfer f = files.get(i);
        if (f != null && f.upload() != null && missing.contains(f.upload())) {
          problems.add(
              new InvalidTaskException.Violation(
                  "files[" + i + "].upload",
                  "names no upload of this client (upload it with POST /api/v1/files)",
                  UPLOAD_NOT_FOUND));
        }
      }
    }
    return problems;
  }

  /** Whether {@code uri} names an object under the service's prefix in one of its buckets. */
  private static boolean isServices(String uri, List<String> buckets) {
    String rest = uri.substring("s3://".length());
    String bucket = rest.substring(0, rest.indexOf('/'));
    String key = rest.substring(rest.indexOf('/') + 1);
    return buckets.contains(bucket) && key.startsWith(TaskObjects.PREFIX + "/");
  }

  private static java.util.Optional<String> pathProblem(String path) {
    if (path == null || path.isEmpty()) {
      return java.util.Optional.of("is required: the file's absolute path in the container");
    }
    if (path.length() > 1024) {
      return java.util.Optional.of("must be at most 1024 characters");
    }
    if (!path.startsWith("/") || path.endsWith("/") || path.indexOf('\0') >= 0) {
      return java.util.Optional.of("must be the absolute path of a file, e.g. /tmp/data.csv");
    }
    for (String part : path.split("/")) {
      if (part.equals("..") || part.equals(".")) {
        return java.util.Optional.of("must not contain . or .. segments");
      }
    }
    for (String reserved : RESERVED) {
      if (path.equals(reserved) || path.startsWith(reserved + "/")) {
        return java.util.Optional.of("must not be under " + reserved + ", the runner's own");
      }
    }
    return java.util.Optional.empty();
  }
}
