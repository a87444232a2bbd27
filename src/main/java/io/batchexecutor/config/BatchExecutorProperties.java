package io.batchexecutor.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * {@code batch-executor.*}: how the service itself runs. The executor settings live under {@code
 * batch-executor.awsbatch} ({@link AwsBatchProperties}); the API's limits, the images' builds and
 * the retention of finished tasks have records of their own ({@link ApiProperties}, {@link
 * ImageProperties}, {@link RetentionProperties}).
 *
 * <p>The {@code @param} texts of this record and its parts are plain text: the configuration
 * processor copies them as they are into the settings' descriptions.
 *
 * @param backend Former single setting of where tasks run: local (the local Docker engine),
 *     awsbatch (AWS Batch), or none (tasks are tracked but fail with "no compute backend is
 *     configured"). Given alone, it is the one backend of the deployment; given with backends, it
 *     must be one of them and is then the backend of tasks that name neither a backend nor a
 *     profile.
 * @param backends The backends the deployment's instances run, e.g. local,awsbatch; the first is
 *     the backend of tasks that name neither a backend nor a profile (unless backend names another
 *     of them). none only alone. Unset: backend, else local.
 * @param covalentConfig Covalent configuration file whose [executors.awsbatch] section supplies the
 *     defaults beneath batch-executor.awsbatch.
 * @param pipeline The background pipeline.
 * @param api Limits of the HTTP API.
 * @param image How task images are built.
 * @param docker How to reach the Docker engine.
 * @param retention How long finished tasks are kept.
 * @param storage Where results, logs and the other objects of tasks are stored.
 * @param local The local Docker backend.
 * @param database The embedded PostgreSQL, started when spring.datasource.url is unset.
 * @param security Who may call the API.
 * @param instances Other instances on the same database.
 * @param instance What this instance does itself.
 */
@Validated
@ConfigurationProperties("batch-executor")
public record BatchExecutorProperties(
    Backend backend,
    List<Backend> backends,
    Path covalentConfig,
    @Valid @DefaultValue Pipeline pipeline,
    @Valid @DefaultValue @NestedConfigurationProperty ApiProperties api,
    @Valid @DefaultValue @NestedConfigurationProperty ImageProperties image,
    @Valid @DefaultValue Docker docker,
    @Valid @DefaultValue @NestedConfigurationProperty RetentionProperties retention,
    @Valid @DefaultValue Storage storage,
    @Valid @DefaultValue Local local,
    @Valid @DefaultValue Database database,
    @Valid @DefaultValue Security security,
    @Valid @DefaultValue Instances instances,
    @Valid @DefaultValue Instance instance) {

  public BatchExecutorProperties {
    DeploymentBackends checked =
        DeploymentBackends.of(backend, backends, instance == null ? null : instance.backends());
    if (storage != null) {
      storage.typeOn(checked);
    }
  }

  /** The backends of the deployment and of this instance, worked out and checked. */
  public DeploymentBackends deployment() {
    return DeploymentBackends.of(backend, backends, instance == null ? null : instance.backends());
  }

  /** The compute backends. */
  public enum Backend {
    NONE,
    LOCAL,
    AWSBATCH
  }

  /**
   * The background pipeline.
   *
   * @param enabled Whether this instance works on tasks at all (false for an API-only instance).
   * @param workers How many tasks this instance drives at once.
   * @param leaseDuration How long a claim holds without renewal; a dead instance's tasks are picked
   *     up again after this.
   * @param heartbeatInterval How often held leases are renewed (well below the lease duration).
   * @param reaperInterval How often expired leases are looked for.
   * @param pollInterval Fallback poll for due work when no wake-up arrives.
   * @param unreachableMaxBackoff Longest wait between tries while Docker or AWS do not answer.
   * @param unreachableGiveUpAfter How long a task that has not been launched yet keeps trying
   *     before it ends FAILED (a launched task keeps waiting: its outcome is unknown).
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
   * How to reach the Docker engine.
   *
   * @param host Address of the Docker engine (unix:///var/run/docker.sock, tcp://...). Unset: the
   *     standard way (DOCKER_HOST, else the local socket).
   */
  public record Docker(String host) {}

  /**
   * Where results, logs and the other objects of a task are stored.
   *
   * @param type Object store of results, logs and the other objects of tasks: local (files in the
   *     objects directory of the cache directory) or s3 (in the task's S3 bucket). Unset: s3 when
   *     awsbatch is among the deployment's backends, else local. local together with awsbatch is
   *     refused at start: Batch jobs and the other backends' tasks exchange values through S3.
   * @param maxResultSize Largest result file (result.json, result.pickle, a sweep run's) the
   *     service takes from a task on any backend; a larger one fails the task naming this setting,
   *     unread, so that no task can fill the service's memory with what it returns.
   */
  public record Storage(StorageType type, @DefaultValue("256MB") DataSize maxResultSize) {

    /**
     * The configured type, else the deployment's own: S3 when AWS Batch is among its backends, the
     * local files elsewhere.
     *
     * @throws IllegalStateException when the local store is configured together with AWS Batch,
     *     whose tasks read their inputs from and write their results to S3
     */
    public StorageType typeOn(DeploymentBackends backends) {
      boolean batch = backends.deployment().contains(Backend.AWSBATCH);
      if (type == StorageType.LOCAL && batch) {
        throw new IllegalStateException(
            "batch-executor.storage.type is local, but the deployment runs awsbatch"
                + " (batch-executor.backends): a Batch job reads its inputs from and writes its"
                + " result to S3, which the other backends' tasks must share; leave"
                + " batch-executor.storage.type unset or set it to s3");
      }
      if (type != null) {
        return type;
      }
      return batch ? StorageType.S3 : StorageType.LOCAL;
    }
  }

  /** The object stores. */
  public enum StorageType {
    LOCAL,
    S3
  }

  /**
   * The local Docker backend, and how its task containers are confined. The defaults confine a task
   * as a shared service must: each setting that loosens them is warned of at start and shown in the
   * health details (taskContainers).
   *
   * @param sweepParallelism How many containers of one parameter sweep run at once (at least one).
   *     Unset: the number of CPUs.
   * @param user The user task containers run as, uid:gid in numbers; no image's own user applies. 0
   *     (root) is a relaxation.
   * @param network The network of task containers: none (only a loopback of their own), bridge (the
   *     Docker network named by bridge-network, created by the service with traffic between
   *     containers off: a relaxation) or host (the host's network, its loopback included: a
   *     relaxation).
   * @param bridgeNetwork Name of the Docker network task containers join when network is bridge.
   * @param readOnlyRoot Whether the root filesystem of a task container is read-only (false is a
   *     relaxation); /tmp is a writable tmpfs either way.
   * @param noNewPrivileges Whether task containers run with no-new-privileges, so that no setuid
   *     program gains privileges (false is a relaxation).
   * @param addCapabilities Linux capabilities given back to task containers, e.g. SYS_PTRACE; all
   *     others are dropped. Each one is a relaxation.
   * @param pidsLimit Most processes and threads a task container may have at once; 0 means no limit
   *     (a relaxation).
   * @param maxLogSize Most of a task's output the service stores: the first and the last half of
   *     it, with a line between them telling how many bytes were dropped; also the engine's cap
   *     (the json-file log driver's, in two files of half this size). At least 1MB.
   * @param maxResultSize Former name of storage.max-result-size, still read: when set, it is the
   *     bound on every backend.
   */
  public record Local(
      Integer sweepParallelism,
      @NotNull @Pattern(regexp = "[0-9]{1,10}:[0-9]{1,10}") @DefaultValue("10001:10001")
          String user,
      @NotNull @DefaultValue("none") TaskNetwork network,
      @NotNull
          @Pattern(regexp = "[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}")
          @DefaultValue("batch-executor-tasks")
          String bridgeNetwork,
      @DefaultValue("true") boolean readOnlyRoot,
      @DefaultValue("true") boolean noNewPrivileges,
      @DefaultValue List<@Pattern(regexp = "[A-Za-z_]{1,32}") String> addCapabilities,
      @Min(0) @DefaultValue("512") long pidsLimit,
      @NotNull @DefaultValue("16MB") DataSize maxLogSize,
      DataSize maxResultSize) {
    public Local {
      if (sweepParallelism == null) {
        sweepParallelism = Runtime.getRuntime().availableProcessors();
      }
      if (maxLogSize != null && maxLogSize.compareTo(DataSize.ofMegabytes(1)) < 0) {
        throw new IllegalArgumentException(
            "batch-executor.local.max-log-size must be at least 1MB, not " + maxLogSize);
      }
    }
  }

  /** The networks a task container of the local backend may have. */
  public enum TaskNetwork {
    /** No network: a loopback interface of the container's own. */
    NONE,
    /** A bridge network the service creates for tasks, with traffic between containers off. */
    BRIDGE,
    /** The host's network namespace. */
    HOST
  }

  /**
   * The embedded PostgreSQL, started when {@code spring.datasource.url} is unset.
   *
   * @param embeddedDir Directory of the embedded PostgreSQL's files. Unset: the postgres directory
   *     of the cache directory.
   * @param embeddedName Name of the service's database in the embedded PostgreSQL.
   */
  public record Database(Path embeddedDir, @DefaultValue("batch_executor") String embeddedName) {}

  /**
   * Who may call the API.
   *
   * @param tokens Comma-separated list of the clients and their bearer tokens, as client=token
   *     pairs. None: one token, for client "default", made once and kept in the api-token file of
   *     the cache directory.
   * @param operatorToken The operator's bearer token (at least 16 characters), the only one that
   *     reads the metrics and the health details; it is no client and gets 403 on the API. None:
   *     one is made once and kept in the operator-token file of the cache directory.
   */
  public record Security(@DefaultValue List<String> tokens, String operatorToken) {
    @Override
    public String toString() {
      return "Security[tokens=" + tokens.size() + " configured, operatorToken=<hidden>]";
    }
  }

  /**
   * Other instances on the same database.
   *
   * @param checkInterval How often this instance looks for other instances on its database (a local
   *     object store they do not share is warned of).
   */
  public record Instances(@NotNull @DefaultValue("1m") Duration checkInterval) {}

  /**
   * What this instance does itself.
   *
   * @param backends The backends whose tasks this instance runs, some of batch-executor.backends
   *     (e.g. local on an instance without AWS credentials in a local,awsbatch deployment). Unset:
   *     all of the deployment's.
   */
  public record Instance(List<Backend> backends) {}
}
