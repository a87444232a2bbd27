package io.batchexecutor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

class ExecutorSettingsResolverTest {

  static final jakarta.validation.ValidatorFactory FACTORY =
      Validation.buildDefaultValidatorFactory();
  static final Validator VALIDATOR = FACTORY.getValidator();

  @TempDir Path dir;

  @AfterAll
  static void close() {
    FACTORY.close();
  }

  @Test
  void nothingConfiguredGivesTheOriginalDefaults() {
    ExecutorSettings d = resolver(null, app()).defaults();

    assertThat(d.credentials()).endsWith("/.aws/credentials");
    assertThat(d.profile()).isEqualTo("default");
    assertThat(d.cacheDir()).isEqualTo("/tmp/covalent");
    TaskSettings t = d.task();
    assertThat(t.s3BucketName()).isEqualTo("covalent-batch-job-resources");
    assertThat(t.ecrRepoName()).isEqualTo("covalent-batch-job-images");
    assertThat(t.batchJobDefinitionName()).isEqualTo("covalent-batch-jobs");
    assertThat(t.batchQueue()).isEqualTo("covalent-batch-queue");
    assertThat(t.batchExecutionRoleName()).isEqualTo("ecsTaskExecutionRole");
    assertThat(t.batchJobRoleName()).isEqualTo("CovalentBatchJobRole");
    assertThat(t.batchJobLogGroupName()).isEqualTo("covalent-batch-job-logs");
    assertThat(t.vcpu()).isEqualTo(2.0);
    assertThat(t.memory()).isEqualTo(3.75);
    assertThat(t.numGpus()).isZero();
    assertThat(t.retryAttempts()).isEqualTo(3);
    assertThat(t.timeLimit()).isEqualTo(300);
    assertThat(t.pollFreq()).isEqualTo(10);
  }

  @Test
  void requestBeatsApplicationBeatsCovalentFileBeatsBuiltIn() throws IOException {
    Path conf = dir.resolve("covalent.conf");
    Files.writeString(
        conf,
        """
        [dispatcher]
        vcpu = 99

        [executors.awsbatch]
        batch_queue = "file-queue"   # from the file
        vcpu = 8
        memory = 16
        time_limit = 900
        profile = 'file-profile'
        """);
    ExecutorSettingsResolver resolver = resolver(conf, app("app-queue", 4.0));

    assertThat(resolver.defaults().task().batchQueue()).isEqualTo("app-queue");
    assertThat(resolver.defaults().task().vcpu()).isEqualTo(4.0);
    assertThat(resolver.defaults().task().memory()).isEqualTo(16.0);
    assertThat(resolver.defaults().task().timeLimit()).isEqualTo(900);
    assertThat(resolver.defaults().profile()).isEqualTo("file-profile");
    assertThat(resolver.defaults().task().pollFreq()).isEqualTo(10);

    TaskSettings requested =
        new TaskSettings(
            null,
            null,
            null,
            null,
            "request-queue",
            null,
            null,
            null,
            null,
            null,
            0,
            null,
            null,
            null,
            null,
            null,
            null);
    TaskSettings effective = resolver.resolve(requested);
    assertThat(effective.batchQueue()).isEqualTo("request-queue");
    assertThat(effective.numGpus()).as("0 is a value, not 'not set'").isZero();
    assertThat(effective.vcpu()).isEqualTo(4.0);
  }

  @Test
  void environmentNamesTheCredentialsFileAndProfile() {
    ExecutorSettingsResolver resolver =
        new ExecutorSettingsResolver(
            props(null),
            app(),
            VALIDATOR,
            Map.of("AWS_SHARED_CREDENTIALS_FILE", "/etc/aws/creds", "AWS_PROFILE", "ci"));

    assertThat(resolver.defaults().credentials()).isEqualTo("/etc/aws/creds");
    assertThat(resolver.defaults().profile()).isEqualTo("ci");
  }

  @Test
  void anInvalidConfigurationStopsStartUpWithTheKeyNamed() {
    assertThatThrownBy(() -> resolver(null, app("bad queue name", -1.0)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("batch-executor.awsbatch.batchQueue")
        .hasMessageContaining("batch-executor.awsbatch.vcpu");
  }

  @Test
  void aBadValueInTheCovalentFileIsReportedWithTheFile() throws IOException {
    Path conf = dir.resolve("covalent.conf");
    Files.writeString(conf, "[executors.awsbatch]\nretry_attempts = many\n");

    assertThatThrownBy(() -> resolver(conf, app()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retry_attempts")
        .hasMessageContaining(conf.toString());
  }

  private ExecutorSettingsResolver resolver(Path covalentConfig, AwsBatchProperties app) {
    return new ExecutorSettingsResolver(props(covalentConfig), app, VALIDATOR, Map.of());
  }

  private static BatchExecutorProperties props(Path covalentConfig) {
    return new BatchExecutorProperties(
        BatchExecutorProperties.Backend.NONE,
        null,
        covalentConfig,
        null,
        new ApiProperties(
            DataSize.ofMegabytes(5), Duration.ofSeconds(60), 8, DataSize.ofMegabytes(1), 200, 0),
        new ImageProperties(
            "python:3.11-slim", PayloadMode.STAGED, null, false, Duration.ofMinutes(30), 2),
        new BatchExecutorProperties.Docker(null),
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  private static AwsBatchProperties app() {
    return app(null, null);
  }

  private static AwsBatchProperties app(String queue, Double vcpu) {
    return new AwsBatchProperties(
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        queue,
        null,
        null,
        null,
        vcpu,
        null,
        null,
        null,
        null,
        null,
        null,
        100,
        java.time.Duration.ofMinutes(10),
        false,
        "LATEST",
        null,
        null,
        null);
  }
}
