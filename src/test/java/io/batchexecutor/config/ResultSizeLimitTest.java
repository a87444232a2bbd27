package io.batchexecutor.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The bound on result files: batch-executor.storage.max-result-size on every backend, 256MB by
 * default; its former name batch-executor.local.max-result-size still read, and winning where set.
 */
class ResultSizeLimitTest {

  private static ResultSizeLimit bound(Map<String, String> settings) {
    return ResultSizeLimit.of(
        new Binder(new MapConfigurationPropertySource(settings))
            .bindOrCreate("batch-executor", BatchExecutorProperties.class));
  }

  @Test
  void byDefaultItIs256MbUnderItsNewName() {
    assertThat(bound(Map.of()))
        .isEqualTo(new ResultSizeLimit(256L << 20, "batch-executor.storage.max-result-size"));
  }

  @Test
  void theStorageSettingSetsIt() {
    assertThat(bound(Map.of("batch-executor.storage.max-result-size", "8MB")))
        .isEqualTo(new ResultSizeLimit(8L << 20, "batch-executor.storage.max-result-size"));
  }

  @Test
  void theFormerLocalNameStillSetsItAndIsTheOneNamed() {
    assertThat(
            bound(
                Map.of(
                    "batch-executor.local.max-result-size", "4MB",
                    "batch-executor.storage.max-result-size", "8MB")))
        .isEqualTo(new ResultSizeLimit(4L << 20, "batch-executor.local.max-result-size"));
  }

  @Test
  void whyATaskFailedNamesTheFileItsSizeTheSettingAndTheBound() {
    assertThat(
            new ResultSizeLimit(1024, "batch-executor.storage.max-result-size")
                .exceeded("result.pickle", 2048))
        .isEqualTo(
            "the task left result.pickle of 2048 bytes, more than"
                + " batch-executor.storage.max-result-size allows (1024 bytes)");
  }
}
