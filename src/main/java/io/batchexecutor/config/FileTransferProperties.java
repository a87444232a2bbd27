package io.batchexecutor.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * {@code batch-executor.files.*}: files clients upload for their tasks (POST /api/v1/files) and the
 * transfers a task names in its {@code files}.
 *
 * <p>The {@code @param} texts are plain text: the configuration processor copies them as they are
 * into the settings' descriptions.
 *
 * @param maxFileSize The largest file a client may upload. An upload is one request body, so
 *     batch-executor.api.max-request-size bounds it too (the smaller of the two applies).
 * @param maxBytesPerClient How many bytes of uploaded files one client may keep in all; an upload
 *     that would pass it is refused (413, upload-quota-exceeded) until the client deletes some.
 * @param maxPerTask How many file transfers one task may name in its files.
 * @param uploadsPerClient How many of one client's uploads and upload deletions an instance works
 *     on or keeps waiting at once. They are stored one at a time per client, each waiting without a
 *     database connection but on a request thread; a further one is refused at once (429,
 *     too-many-uploads, Retry-After), so one client's burst of uploads cannot hold the request
 *     threads other clients' calls need.
 */
@Validated
@ConfigurationProperties("batch-executor.files")
public record FileTransferProperties(
    @NotNull @DefaultValue("5MB") DataSize maxFileSize,
    @NotNull @DefaultValue("1GB") DataSize maxBytesPerClient,
    @Min(0) @Max(64) @DefaultValue("16") int maxPerTask,
    @Min(1) @Max(1000) @DefaultValue("4") int uploadsPerClient) {}
