package io.batchexecutor.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * {@code batch-executor.*}: how the service itself runs. The executor settings live under {@code
 * batch-executor.awsbatch} ({@link AwsBatchProperties}).
 *
 * @param backend where tasks run: {@code local} (the local Docker engine), {@code awsbatch}, or
 *     {@code none} (tasks are tracked but fail with "no compute backend is configured")
 * @param covalentConfig a Covalent configuration file whose {@code [executors.awsbatch]} section
 *     supplies defaults beneath {@code batch-executor.awsbatch.*}
 * @param pipeline the background pipeline
 * @param api limits of the HTTP API
 * @param image how task images are built
 * @param docker how to reach the Docker engine
 * @param retention how long finished tasks are kept
 */
@Validated
@ConfigurationProperties("batch-executor")
public record BatchExecutorProperties(
    @NotNull @DefaultValue("local") Backend backend,
    Path covalentConfig,
    @Valid @DefaultValue Pipeline pipeline,
    @Valid @DefaultValue Api api,
    @Valid @DefaultValue Image image,
    @Valid @DefaultValue Docker docker,
    @Valid @DefaultValue Retention retention) {

  /** The compute backends. */
  public enum Backend {
    NONE,
    LOCAL,
    AWSBATCH
  }

  /**
   * The background pipeline.
   *
   * @param enabled whether this instance works on tasks at all (an API-only instance says false)
   * @param workers how many tasks this instance drives at once
   * @param leaseDuration how long a claim holds without renewal; a dead instance's tasks are picked
   *     up again after this
   * @param heartbeatInterval how often held leases are renewed (well below the lease duration)
   * @param reaperInterval how often expired leases are looked for
   * @param pollInterval the fallback poll for due work when no wake-up arrives
   * @param unreachableMaxBackoff the longest wait between tries while Docker or AWS do not answer
   * @param unreachableGiveUpAfter how long a task that has not been launched yet keeps trying
   *     before it ends FAILED (a launched task keeps waiting: its outcome is unknown)
   */
  public record Pipeline(
      @DefaultValue("true") boolean enabled,
      @Min(1) @Max(256) @DefaultValue("8") int workers,
      @NotNull @DefaultValue("60s") Duration leaseDuration,
      @NotNull @DefaultValue("15s") Duration heartbeatInterval,
      @NotNull @DefaultValue("10s") Duration reaperInterval,
      @NotNull @DefaultValue("5s") Duration pollInterval,
      @NotNull @DefaultValue("60s") Duration unreachableMaxBackoff,
      @NotNull @DefaultValue("30m") Duration unreachableGiveUpAfter) {}

  /**
   * Limits of the HTTP API.
   *
   * @param maxRequestSize the largest request body accepted (413 above it)
   * @param maxSourceSize the largest function source accepted
   * @param maxPageSize the largest page a listing returns
   */
  public record Api(
      @NotNull @DefaultValue("5MB") DataSize maxRequestSize,
      @NotNull @DefaultValue("1MB") DataSize maxSourceSize,
      @Min(1) @Max(1000) @DefaultValue("200") int maxPageSize) {}

  /**
   * How task images are built.
   *
   * @param baseImage the image a task's image is built on when the task names none
   * @param payload how a task's call reaches its image when the task does not say: {@code staged}
   *     (one environment image shared by every call with the same base image and requirements, the
   *     call written beside it to the object store) or {@code baked} (an image of its own for every
   *     call, as the original executor built them)
   */
  public record Image(
      @NotNull @DefaultValue("python:3.11-slim") String baseImage,
      @NotNull @DefaultValue("staged") PayloadMode payload) {}

  /**
   * How to reach the Docker engine.
   *
   * @param host the engine's address ({@code unix:///var/run/docker.sock}, {@code tcp://...});
   *     unset: the standard way ({@code DOCKER_HOST}, else the local socket)
   */
  public record Docker(String host) {}

  /**
   * How long finished tasks are kept.
   *
   * @param keepFinished how long after its end a task (with its history, result, logs and
   *     everything else it stored) is deleted; a workflow goes, with all its tasks, once its last
   *     task ended this long ago. Unset: kept for ever
   * @param checkEvery how often expired tasks are looked for
   */
  public record Retention(
      Duration keepFinished, @NotNull @DefaultValue("1h") Duration checkEvery) {}
}
