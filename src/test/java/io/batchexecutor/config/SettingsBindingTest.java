package io.batchexecutor.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.config.BatchExecutorProperties.Backend;
import io.batchexecutor.config.BatchExecutorProperties.StorageType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/**
 * The settings as Spring binds them: the defaults when nothing is set, the values when something
 * is, and a start-up that stops, naming the key, when a value is wrong.
 */
class SettingsBindingTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties({BatchExecutorProperties.class, AwsBatchProperties.class})
  static class Settings {}

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner().withUserConfiguration(Settings.class);

  @Test
  void nothingSetGivesTheDefaults() {
    runner.run(
        context -> {
          BatchExecutorProperties properties = context.getBean(BatchExecutorProperties.class);
          AwsBatchProperties aws = context.getBean(AwsBatchProperties.class);

          assertThat(properties.backend()).isNull();
          assertThat(properties.deployment().deployment()).containsExactly(Backend.LOCAL);
          assertThat(properties.deployment().instance()).containsExactly(Backend.LOCAL);
          assertThat(properties.storage().type()).isNull();
          assertThat(properties.storage().typeOn(only(Backend.LOCAL))).isEqualTo(StorageType.LOCAL);
          assertThat(properties.storage().typeOn(only(Backend.NONE))).isEqualTo(StorageType.LOCAL);
          assertThat(properties.storage().typeOn(only(Backend.AWSBATCH))).isEqualTo(StorageType.S3);
          assertThat(
                  properties
                      .storage()
                      .typeOn(
                          DeploymentBackends.of(
                              null, List.of(Backend.LOCAL, Backend.AWSBATCH), null)))
              .isEqualTo(StorageType.S3);
          assertThat(properties.local().sweepParallelism())
              .isEqualTo(Runtime.getRuntime().availableProcessors());
          assertThat(properties.database().embeddedDir()).isNull();
          assertThat(properties.database().embeddedName()).isEqualTo("batch_executor");
          assertThat(properties.security().tokens()).isEmpty();
          assertThat(aws.runnableWarning()).isEqualTo(Duration.ofMinutes(15));
          assertThat(aws.s3PathStyle()).isFalse();
          assertThat(properties.retention().keepFinished()).isEqualTo(Duration.ofDays(90));
          assertThat(properties.retention().on()).isTrue();
          // the executor keys stay unset, so that the Covalent file and the plugin's defaults apply
          assertThat(aws.settings().task().batchQueue()).isNull();
        });
  }

  @Test
  void setValuesAreBound() {
    runner
        .withPropertyValues(
            "batch-executor.backends=local,awsbatch",
            "batch-executor.instance.backends=local",
            "batch-executor.storage.type=s3",
            "batch-executor.local.sweep-parallelism=3",
            "batch-executor.database.embedded-dir=/var/lib/batch-executor/postgres",
            "batch-executor.database.embedded-name=other",
            "batch-executor.security.tokens=alice=token-of-alice-0001, bob=token-of-bob-00002",
            "batch-executor.awsbatch.runnable-warning=2m")
        .run(
            context -> {
              BatchExecutorProperties properties = context.getBean(BatchExecutorProperties.class);

              assertThat(properties.storage().typeOn(properties.deployment()))
                  .isEqualTo(StorageType.S3);
              assertThat(properties.deployment().deployment())
                  .containsExactly(Backend.LOCAL, Backend.AWSBATCH);
              assertThat(properties.deployment().instance()).containsExactly(Backend.LOCAL);
              assertThat(properties.local().sweepParallelism()).isEqualTo(3);
              assertThat(properties.database().embeddedDir())
                  .isEqualTo(Path.of("/var/lib/batch-executor/postgres"));
              assertThat(properties.database().embeddedName()).isEqualTo("other");
              assertThat(properties.security().tokens())
                  .containsExactly("alice=token-of-alice-0001", "bob=token-of-bob-00002");
              assertThat(context.getBean(AwsBatchProperties.class).runnableWarning())
                  .isEqualTo(Duration.ofMinutes(2));
            });
  }

  @Test
  void finishedTasksAreKeptForEverWithZero() {
    runner
        .withPropertyValues("batch-executor.retention.keep-finished=0")
        .run(
            context ->
                assertThat(context.getBean(BatchExecutorProperties.class).retention().on())
                    .isFalse());
  }

  @Test
  void storageTypeIsReadWhateverItsCase() {
    runner
        .withPropertyValues("batch-executor.storage.type=S3")
        .run(
            context ->
                assertThat(
                        context
                            .getBean(BatchExecutorProperties.class)
                            .storage()
                            .typeOn(only(Backend.LOCAL)))
                    .isEqualTo(StorageType.S3));
  }

  @Test
  void aLocalStoreWithAwsBatchStopsStartUpWithTheReason() {
    runner
        .withPropertyValues(
            "batch-executor.backends=local,awsbatch", "batch-executor.storage.type=local")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("batch-executor.storage.type is local")
                    .hasMessageContaining("awsbatch"));
  }

  @Test
  void contradictingBackendSettingsStopStartUpWithTheReason() {
    runner
        .withPropertyValues("batch-executor.backend=none", "batch-executor.backends=local")
        .run(
            context ->
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("batch-executor.backend is none")
                    .hasMessageContaining("batch-executor.backends (local)"));
  }

  @Test
  void theFormerSingleBackendIsAListOfOne() {
    runner
        .withPropertyValues("batch-executor.backend=awsbatch")
        .run(
            context -> {
              DeploymentBackends backends =
                  context.getBean(BatchExecutorProperties.class).deployment();
              assertThat(backends.deployment()).containsExactly(Backend.AWSBATCH);
              assertThat(backends.instance()).containsExactly(Backend.AWSBATCH);
            });
  }

  private static DeploymentBackends only(Backend backend) {
    return DeploymentBackends.of(backend, null, null);
  }

  @Test
  void aValueOutsideItsRangeStopsStartUpWithTheKeyNamed() {
    runner
        .withPropertyValues("batch-executor.pipeline.workers=0")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(messages(context.getStartupFailure()))
                  .contains("batch-executor.pipeline")
                  .contains("workers")
                  .contains("rejected value [0]");
            });
  }

  @Test
  void anUnknownStorageTypeStopsStartUpWithTheKeyNamed() {
    runner
        .withPropertyValues("batch-executor.storage.type=ftp")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(messages(context.getStartupFailure()))
                  .contains("batch-executor.storage.type")
                  .contains("ftp");
            });
  }

  @Test
  void anUnreadableDurationStopsStartUpWithTheKeyNamed() {
    runner
        .withPropertyValues("batch-executor.awsbatch.runnable-warning=soon")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(messages(context.getStartupFailure()))
                  .contains("batch-executor.awsbatch.runnable-warning")
                  .contains("soon");
            });
  }

  @Test
  void taskContainersAreConfinedUnlessTheOperatorRelaxesThem() {
    runner.run(
        context -> {
          BatchExecutorProperties.Local local =
              context.getBean(BatchExecutorProperties.class).local();

          assertThat(local.user()).isEqualTo("10001:10001");
          assertThat(local.network()).isEqualTo(BatchExecutorProperties.TaskNetwork.NONE);
          assertThat(local.bridgeNetwork()).isEqualTo("batch-executor-tasks");
          assertThat(local.readOnlyRoot()).isTrue();
          assertThat(local.noNewPrivileges()).isTrue();
          assertThat(local.addCapabilities()).isEmpty();
          assertThat(local.pidsLimit()).isEqualTo(512);
          assertThat(local.maxLogSize().toMegabytes()).isEqualTo(16);
        });
  }

  @Test
  void aTaskUserThatIsNotUidColonGidStopsStartUpWithTheKeyNamed() {
    runner
        .withPropertyValues("batch-executor.local.user=nobody")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(messages(context.getStartupFailure()))
                  .contains("batch-executor.local")
                  .contains("user")
                  .contains("rejected value [nobody]");
            });
  }

  @Test
  void aLogCapBelowOneMegabyteStopsStartUpWithTheKeyNamed() {
    runner
        .withPropertyValues("batch-executor.local.max-log-size=100KB")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(messages(context.getStartupFailure()))
                  .contains("batch-executor.local.max-log-size");
            });
  }

  @Test
  void imageBuildsAreGuardedByDefault() {
    runner.run(
        context -> {
          ImageProperties image = context.getBean(BatchExecutorProperties.class).image();

          assertThat(image.indexUrl()).as("pip's default index").isNull();
          assertThat(image.allowSourceBuilds()).isFalse();
          assertThat(image.buildTimeout()).isEqualTo(Duration.ofMinutes(30));
          assertThat(image.maxBuildsPerClient()).isEqualTo(2);
        });
  }

  @Test
  void anIndexUrlWithCredentialsStopsStartUpWithTheKeyNamed() {
    runner
        .withPropertyValues(
            "batch-executor.image.index-url=https://user:secret@mirror.example/simple")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(messages(context.getStartupFailure()))
                  .contains("batch-executor.image.index-url must not carry credentials");
            });
    runner
        .withPropertyValues("batch-executor.image.index-url=ftp://mirror.example/simple")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(messages(context.getStartupFailure()))
                  .contains("batch-executor.image.index-url must be an http(s) URL");
            });
    runner
        .withPropertyValues("batch-executor.image.index-url=https://mirror.example/simple/")
        .run(
            context ->
                assertThat(context.getBean(BatchExecutorProperties.class).image().indexUrl())
                    .hasToString("https://mirror.example/simple/"));
  }

  /** The messages of a failure and of its causes, one a line. */
  private static String messages(Throwable failure) {
    List<String> messages = new ArrayList<>();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      messages.add(String.valueOf(t.getMessage()));
    }
    return String.join("\n", messages);
  }
}
