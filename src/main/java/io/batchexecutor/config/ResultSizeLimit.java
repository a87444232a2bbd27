package io.batchexecutor.config;

import org.springframework.util.unit.DataSize;

/**
 * The largest result file the service takes from a task, on every backend, and the setting that
 * says so ({@code batch-executor.storage.max-result-size}; its former name {@code
 * batch-executor.local.max-result-size} wins where it is still set), which a task failed for a
 * larger one is told.
 *
 * @param bytes the bound
 * @param setting the setting's name
 */
public record ResultSizeLimit(long bytes, String setting) {

  /** The bound when neither setting is given. */
  public static final DataSize DEFAULT = DataSize.ofMegabytes(256);

  /** The bound {@code properties} set. */
  public static ResultSizeLimit of(BatchExecutorProperties properties) {
    BatchExecutorProperties.Local local = properties.local();
    if (local != null && local.maxResultSize() != null) {
      return new ResultSizeLimit(
          local.maxResultSize().toBytes(), "batch-executor.local.max-result-size");
    }
    BatchExecutorProperties.Storage storage = properties.storage();
    DataSize size =
        storage != null && storage.maxResultSize() != null ? storage.maxResultSize() : DEFAULT;
    return new ResultSizeLimit(size.toBytes(), "batch-executor.storage.max-result-size");
  }

  /** Why a task failed that left {@code file} of {@code size} bytes. */
  public String exceeded(String file, long size) {
    return "the task left "
        + file
        + " of "
        + size
        + " bytes, more than "
        + setting
        + " allows ("
        + bytes
        + " bytes)";
  }
}
