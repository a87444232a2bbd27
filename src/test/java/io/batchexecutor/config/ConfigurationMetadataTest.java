package io.batchexecutor.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The settings metadata the configuration processor writes at compile time, as IDEs and other
 * tooling read it from the jar: every {@code batch-executor.*} setting named, described, and with
 * its default where it has a fixed one.
 */
class ConfigurationMetadataTest {

  private static final String METADATA = "META-INF/spring-configuration-metadata.json";

  @Test
  void everySettingOfTheServiceIsListedWithADescription() throws IOException {
    Map<String, JsonNode> settings = serviceSettings();

    assertThat(settings)
        .containsKeys(
            "batch-executor.backend",
            "batch-executor.backends",
            "batch-executor.instance.backends",
            "batch-executor.pipeline.workers",
            "batch-executor.awsbatch.batch-queue",
            "batch-executor.awsbatch.runnable-warning",
            "batch-executor.local.sweep-parallelism",
            "batch-executor.local.user",
            "batch-executor.local.network",
            "batch-executor.local.bridge-network",
            "batch-executor.local.read-only-root",
            "batch-executor.local.no-new-privileges",
            "batch-executor.local.add-capabilities",
            "batch-executor.local.pids-limit",
            "batch-executor.local.max-log-size",
            "batch-executor.storage.type",
            "batch-executor.database.embedded-dir",
            "batch-executor.database.embedded-name",
            "batch-executor.security.tokens",
            "batch-executor.clients",
            "batch-executor.client-defaults.execution-profiles",
            "batch-executor.client-defaults.max-unfinished-tasks",
            "batch-executor.client-defaults.submissions-per-second",
            "batch-executor.client-defaults.submission-burst",
            "batch-executor.client-defaults.max-runs-per-request",
            "batch-executor.execution-profiles");
    settings.forEach(
        (name, setting) -> {
          String description = setting.path("description").asString("");
          assertThat(description).as("description of %s", name).isNotBlank();
          // the processor copies javadoc as it is: markup would reach the IDE verbatim
          assertThat(description).as("description of %s", name).doesNotContain("{@", "<p>");
        });
  }

  @Test
  void fixedDefaultsAreListed() throws IOException {
    Map<String, JsonNode> settings = serviceSettings();

    // the backends have no fixed default: unset, the former single setting decides, else local
    assertThat(settings.get("batch-executor.backends").has("defaultValue")).isFalse();
    assertThat(defaultOf(settings, "batch-executor.awsbatch.runnable-warning")).isEqualTo("15m");
    assertThat(defaultOf(settings, "batch-executor.awsbatch.s3-path-style")).isEqualTo("false");
    assertThat(defaultOf(settings, "batch-executor.database.embedded-name"))
        .isEqualTo("batch_executor");
    assertThat(defaultOf(settings, "batch-executor.pipeline.lease-duration")).isEqualTo("60s");
    assertThat(defaultOf(settings, "batch-executor.local.user")).isEqualTo("10001:10001");
    assertThat(defaultOf(settings, "batch-executor.local.network")).isEqualTo("none");
    assertThat(defaultOf(settings, "batch-executor.local.pids-limit")).isEqualTo("512");
    assertThat(defaultOf(settings, "batch-executor.local.max-log-size")).isEqualTo("16MB");
    // an executor key has no default of its own: it falls back to the Covalent file first
    assertThat(settings.get("batch-executor.awsbatch.batch-queue").has("defaultValue")).isFalse();
  }

  private static String defaultOf(Map<String, JsonNode> settings, String name) {
    assertThat(settings).containsKey(name);
    return settings.get(name).path("defaultValue").asString();
  }

  /** The {@code batch-executor.*} properties, from the one metadata file that lists them. */
  private static Map<String, JsonNode> serviceSettings() throws IOException {
    JsonMapper json = JsonMapper.builder().build();
    List<Map<String, JsonNode>> files = new ArrayList<>();
    for (URL url : Collections.list(getClassLoader().getResources(METADATA))) {
      Map<String, JsonNode> ours = new LinkedHashMap<>();
      try (InputStream in = url.openStream()) {
        for (JsonNode property : json.readTree(in).path("properties")) {
          String name = property.path("name").asString();
          if (name.startsWith("batch-executor.")) {
            ours.put(name, property);
          }
        }
      }
      if (!ours.isEmpty()) {
        files.add(ours);
      }
    }
    assertThat(files).as("metadata files that list batch-executor settings").hasSize(1);
    return files.get(0);
  }

  private static ClassLoader getClassLoader() {
    return ConfigurationMetadataTest.class.getClassLoader();
  }
}
