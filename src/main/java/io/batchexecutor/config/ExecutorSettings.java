package io.batchexecutor.config;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * The whole {@code [executors.awsbatch]} section: the server-side keys that only the operator sets
 * (where credentials come from, the region, the cache directory) and the per-task keys that a
 * request may override.
 *
 * @param credentials path of a shared-credentials file; the path is shown, its contents never
 * @param profile profile within the credentials file
 * @param region AWS region
 * @param cacheDir working directory of the service
 * @param task per-task settings
 */
public record ExecutorSettings(
    String credentials,
    String profile,
    String region,
    String cacheDir,
    @JsonUnwrapped TaskSettings task) {

  /** Fills every key left {@code null} from {@code fallback}. */
  public ExecutorSettings orElse(ExecutorSettings fallback) {
    return new ExecutorSettings(
        TaskSettings.first(credentials, fallback.credentials),
        TaskSettings.first(profile, fallback.profile),
        TaskSettings.first(region, fallback.region),
        TaskSettings.first(cacheDir, fallback.cacheDir),
        task.orElse(fallback.task));
  }

  /** Nothing set. */
  public static ExecutorSettings none() {
    return new ExecutorSettings(null, null, null, null, TaskSettings.none());
  }
}
