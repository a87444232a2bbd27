package io.batchexecutor.api;

import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.config.Clients;
import io.batchexecutor.config.ExecutionProfile;
import io.batchexecutor.config.ExecutorSettingsResolver;
import io.batchexecutor.config.TaskSettings;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Comparator;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What the calling client may choose: its execution profiles with their maxima and base images, and
 * the resources a task gets when its request leaves them out. The operator's side of a profile
 * (roles, queues, buckets, repositories, log groups, job-definition names) and the service's paths
 * are not shown: they are not the client's to set.
 */
@RestController
@Tag(name = "Executor", description = "What the calling client may choose")
public class ExecutorController {

  private final ExecutorSettingsResolver settings;
  private final BatchExecutorProperties properties;
  private final Clients clients;
  private final Caller caller;

  public ExecutorController(
      ExecutorSettingsResolver settings,
      BatchExecutorProperties properties,
      Clients clients,
      Caller caller) {
    this.settings = settings;
    this.properties = properties;
    this.clients = clients;
    this.caller = caller;
  }

  /**
   * The executor as the calling client sees it.
   *
   * @param backend the deployment's default backend: where a task runs whose request names neither
   *     executor.backend nor executor.execution_profile (and the client's default profile is on it)
   * @param backends the backends the deployment runs, the default first, each with the profile
   *     executor.backend gives this client on it
   * @param client the calling client
   * @param defaultExecutionProfile the profile a request without executor.execution_profile runs
   *     with; null when the client may use none
   * @param executionProfiles the profiles the client may use, its default first
   * @param defaults the resources a task gets for every key its request leaves out
   */
  public record ExecutorResponse(
      String backend,
      List<BackendShown> backends,
      String client,
      String defaultExecutionProfile,
      List<Profile> executionProfiles,
      Resources defaults) {}

  /**
   * A backend of the deployment.
   *
   * @param name what executor.backend names
   * @param defaultExecutionProfile the profile a request naming this backend and no profile runs
   *     with: the backend's default profile, else the client's first on it; null when the client
   *     may use none on it
   */
  @Schema(name = "ExecutorBackend")
  public record BackendShown(String name, String defaultExecutionProfile) {}

  /**
   * An execution profile as a client may use it.
   *
   * @param name what executor.execution_profile names
   * @param backend where its tasks run
   * @param baseImage the image a task is built on when its request names none
   * @param allowedBaseImages what image.base_image may name, normalised (docker.io/library/...); *
   *     stands for any characters but / : @
   * @param maxVcpu most virtual CPUs a task may ask for
   * @param maxMemory most memory in GB a task may ask for
   * @param maxGpus most GPUs a task may ask for
   * @param maxTimeLimit longest time limit in seconds a task may ask for
   */
  @Schema(name = "ExecutionProfile")
  public record Profile(
      String name,
      String backend,
      String baseImage,
      List<String> allowedBaseImages,
      double maxVcpu,
      double maxMemory,
      int maxGpus,
      int maxTimeLimit) {

    static Profile of(ExecutionProfile p) {
      return new Profile(
          p.name(),
          p.backendName(),
          p.baseImage(),
          p.allowedBaseImagesShown(),
          p.maxVcpu(),
          p.maxMemory(),
          p.maxGpus(),
          p.maxTimeLimit());
    }
  }

  /**
   * The resources a task gets when its request leaves them out.
   *
   * @param vcpu virtual CPUs
   * @param memory memory in GB
   * @param numGpus GPUs
   * @param retryAttempts attempts that infrastructure failures may use
   * @param timeLimit seconds after which a task is stopped
   * @param pollFreq seconds between status checks
   */
  @Schema(name = "ExecutorDefaults")
  public record Resources(
      double vcpu, double memory, int numGpus, int retryAttempts, int timeLimit, int pollFreq) {

    static Resources of(TaskSettings s) {
      return new Resources(
          s.vcpu(), s.memory(), s.numGpus(), s.retryAttempts(), s.timeLimit(), s.pollFreq());
    }
  }

  @GetMapping(path = "/api/v1/executor", produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      operationId = "getExecutor",
      summary = "What the calling client may choose",
      description =
          "The backends the deployment runs (the default first), the execution profiles the"
              + " calling client may use (its default first), each with its backend, its"
              + " maxima and the base images a request may name, and the resources a task gets"
              + " for every key its request leaves out. The operator's roles, queues, buckets,"
              + " repositories and log groups are not shown.")
  @ApiResponse(responseCode = "200", description = "The client's profiles and the defaults")
  public ExecutorResponse executor() {
    String client = caller.current();
    List<ExecutionProfile> allowed = clients.profilesOf(client);
    List<BackendShown> backends =
        properties.deployment().deploymentNames().stream()
            .map(
                b ->
                    new BackendShown(
                        b,
                        allowed.stream()
                            .filter(p -> p.backendName().equals(b))
                            .min(Comparator.comparing(p -> !p.isDefault()))
                            .map(ExecutionProfile::name)
                            .orElse(null)))
            .toList();
    return new ExecutorResponse(
        backends.get(0).name(),
        backends,
        client,
        allowed.isEmpty() ? null : allowed.get(0).name(),
        allowed.stream().map(Profile::of).toList(),
        Resources.of(settings.defaults().task()));
  }
}
