package io.batchexecutor.api;

import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.config.ExecutorSettings;
import io.batchexecutor.config.ExecutorSettingsResolver;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Locale;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The executor settings a task gets when its request leaves them out. */
@RestController
@Tag(name = "Executor", description = "The configured executor settings")
public class ExecutorController {

  private final ExecutorSettingsResolver settings;
  private final BatchExecutorProperties properties;

  public ExecutorController(ExecutorSettingsResolver settings, BatchExecutorProperties properties) {
    this.settings = settings;
    this.properties = properties;
  }

  /**
   * The service's executor configuration.
   *
   * @param backend where tasks run
   * @param defaults the configured executor settings; credentials is the path of the credentials
   *     file, never its contents
   */
  public record ExecutorResponse(String backend, ExecutorSettings defaults) {}

  @GetMapping(path = "/api/v1/executor", produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      operationId = "getExecutor",
      summary = "The configured defaults",
      description =
          "What a task gets for every executor key its request leaves out: the application"
              + " configuration, else the Covalent configuration file, else the original defaults.")
  @ApiResponse(responseCode = "200", description = "The backend and the executor defaults")
  public ExecutorResponse executor() {
    return new ExecutorResponse(
        properties.backend().name().toLowerCase(Locale.ROOT), settings.defaults());
  }
}
