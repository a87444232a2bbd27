package io.batchexecutor.task;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * A file a task's container gets before its function runs, or gives back after it returned.
 *
 * @param path the absolute path of the file in the task's container
 * @param order {@code before} (the default): the file is placed at {@code path} before the function
 *     runs, from {@code upload} or {@code s3}; {@code after}: once the function returned, the file
 *     at {@code path} goes to {@code s3}, or, without {@code s3}, is kept for the client ({@code
 *     GET /api/v1/tasks/{id}/files/{index}})
 * @param upload the id of a file the client uploaded ({@code POST /api/v1/files})
 * @param s3 an {@code s3://bucket/key} URI, read or written in the container with the execution
 *     profile's role (AWS Batch only)
 */
@Schema(
    description =
        "A file placed in the task's container before its function runs (order before, from an"
            + " upload or S3) or taken from it after the function returned (order after, to S3 or"
            + " kept for the client)",
    example =
        "{\"path\": \"/tmp/data.csv\", \"upload\":"
            + " \"2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae\"}")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FileTransfer(
    @Schema(
            requiredMode = Schema.RequiredMode.REQUIRED,
            description = "Absolute path of the file in the task's container",
            example = "/tmp/data.csv",
            maxLength = 1024)
        String path,
    @Schema(
            description = "before (default): placed before the function runs; after: taken after",
            allowableValues = {"before", "after"})
        String order,
    @Schema(
            description = "Id of one of the client's uploads (POST /api/v1/files)",
            pattern = "^[0-9a-f]{64}$")
        String upload,
    @Schema(
            description =
                "s3://bucket/key: read (before) or written (after) with the execution"
                    + " profile's role; AWS Batch only",
            example = "s3://my-bucket/inputs/data.csv")
        String s3) {

  /** The order of a file placed before the function runs. */
  public static final String BEFORE = "before";

  /** The order of a file taken after the function returned. */
  public static final String AFTER = "after";

  /** Whether the file is taken from the container after the function returned. */
  @JsonIgnore
  public boolean after() {
    return AFTER.equals(order);
  }

  /** Whether the file is kept for the client after the run (order after, no S3 target). */
  @JsonIgnore
  public boolean kept() {
    return after() && s3 == null;
  }
}
