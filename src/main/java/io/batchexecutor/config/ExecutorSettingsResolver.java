package io.batchexecutor.config;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Works out the executor settings: a request's value, else the application configuration, else the
 * Covalent configuration file, else the original plugin's default. The configured defaults are
 * merged and validated once, at start-up, so that a bad configuration stops the service with a
 * clear message instead of failing tasks later.
 */
@Component
public class ExecutorSettingsResolver {

  private static final Logger log = LoggerFactory.getLogger(ExecutorSettingsResolver.class);

  private final ExecutorSettings defaults;

  @Autowired
  public ExecutorSettingsResolver(
      BatchExecutorProperties properties, AwsBatchProperties awsBatch, Validator validator) {
    this(properties, awsBatch, validator, System.getenv());
  }

  ExecutorSettingsResolver(
      BatchExecutorProperties properties,
      AwsBatchProperties awsBatch,
      Validator validator,
      Map<String, String> environment) {
    ExecutorSettings fromFile = ExecutorSettings.none();
    if (properties.covalentConfig() != null) {
      fromFile = CovalentConfigFile.read(properties.covalentConfig());
      log.info("Executor defaults read from {}", properties.covalentConfig());
    }
    this.defaults =
        awsBatch.settings().orElse(fromFile).orElse(ExecutorDefaults.builtIn(environment));
    Set<ConstraintViolation<TaskSettings>> violations = validator.validate(defaults.task());
    if (!violations.isEmpty()) {
      throw new IllegalStateException(
          "Invalid executor settings in the configuration: "
              + violations.stream()
                  .map(v -> "batch-executor.awsbatch." + v.getPropertyPath() + " " + v.getMessage())
                  .sorted()
                  .collect(Collectors.joining("; ")));
    }
  }

  /** The configured defaults: every key filled in. */
  public ExecutorSettings defaults() {
    return defaults;
  }

  /** The effective per-task settings: what the request gives, the configured default elsewhere. */
  public TaskSettings resolve(TaskSettings requested) {
    return (requested == null ? TaskSettings.none() : requested).orElse(defaults.task());
  }
}
