package io.batchexecutor.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.validation.beanvalidation.LocalValidatorFactoryBean;

/**
 * The execution profiles and the clients' settings as the service works them out at start-up, and a
 * start-up that stops, naming the setting, when one is wrong.
 */
class ExecutionProfilesTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties({
    BatchExecutorProperties.class,
    AwsBatchProperties.class,
    TenancyProperties.class
  })
  @Import({ExecutorSettingsResolver.class, ExecutionProfiles.class, Clients.class})
  static class Settings {
    @Bean
    LocalValidatorFactoryBean validator() {
      return new LocalValidatorFactoryBean();
    }
  }

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withUserConfiguration(Settings.class)
          .withPropertyValues("batch-executor.awsbatch.cache-dir=/tmp/be-profiles-test");

  @Test
  void nothingConfiguredGivesTheBackendsDefaultProfileToEveryClient() {
    runner.run(
        context -> {
          ExecutionProfiles profiles = context.getBean(ExecutionProfiles.class);
          ExecutionProfile local = profiles.defaultProfile();

          assertThat(profiles.all()).containsExactly(local);
          assertThat(local.name()).isEqualTo("local");
          assertThat(local.isDefault()).isTrue();
          assertThat(local.maxVcpu()).isEqualTo(16.0);
          assertThat(local.maxMemory()).isEqualTo(64.0);
          assertThat(local.maxGpus()).isZero();
          assertThat(local.maxTimeLimit()).isEqualTo(86_400);
          assertThat(local.allowedBaseImagesShown())
              .containsExactly("docker.io/library/python:3.11-slim");
          assertThat(local.names().batchQueue()).isEqualTo("covalent-batch-queue");
          assertThat(local.names().vcpu()).as("names only").isNull();
          assertThat(context.getBean(Clients.class).profilesOf("anyone")).containsExactly(local);
        });
  }

  @Test
  void aProfileTakesWhatItLeavesUnsetFromTheTopLevelAndFillsTheClientIntoItsJobRole() {
    runner
        .withPropertyValues(
            "batch-executor.backend=awsbatch",
            "batch-executor.awsbatch.batch-queue=top-queue",
            "batch-executor.awsbatch.s3-bucket-name=top-bucket",
            "batch-executor.execution-profiles.awsbatch.max-gpus=1",
            "batch-executor.execution-profiles.team.awsbatch.batch-queue=team-queue",
            "batch-executor.execution-profiles.team.awsbatch.batch-job-role-name=Job-{client}",
            "batch-executor.client-defaults.execution-profiles=*",
            "batch-executor.clients.alice.execution-profiles=team")
        .run(
            context -> {
              ExecutionProfiles profiles = context.getBean(ExecutionProfiles.class);
              ExecutionProfile team = profiles.named("team").orElseThrow();

              assertThat(profiles.defaultProfile().name()).isEqualTo("awsbatch");
              assertThat(profiles.defaultProfile().maxGpus()).isEqualTo(1);
              assertThat(profiles.defaultProfile().names().batchQueue()).isEqualTo("top-queue");
              assertThat(team.names().batchQueue()).isEqualTo("team-queue");
              assertThat(team.names().s3BucketName()).isEqualTo("top-bucket");
              assertThat(team.namesFor("alice").batchJobRoleName()).isEqualTo("Job-alice");
              assertThat(team.namesFor("alice").executionProfile()).isEqualTo("team");

              Clients clients = context.getBean(Clients.class);
              assertThat(clients.profilesOf("alice")).containsExactly(team);
              assertThat(clients.profilesOf("bob"))
                  .as("* in the defaults: every profile, the default first")
                  .containsExactly(profiles.defaultProfile(), team);
            });
  }

  @Test
  void badProfilesAndClientsStopStartUpNamingTheSetting() {
    fails(
        "batch-executor.execution-profiles.gpu.backend is awsbatch, but this deployment runs local",
        "batch-executor.execution-profiles.gpu.backend=awsbatch");
    fails(
        "batch-executor.execution-profiles.awsbatch: the name awsbatch is the default profile",
        "batch-executor.execution-profiles.awsbatch.max-vcpu=4");
    fails(
        "batch-executor.execution-profiles." + "g".repeat(33) + ": '",
        "batch-executor.execution-profiles." + "g".repeat(33) + ".max-vcpu=4");
    fails(
        "batch-executor.clients.alice.execution-profiles names 'gpu', which is no execution"
            + " profile (there are: local)",
        "batch-executor.clients.alice.execution-profiles=gpu");
    fails(
        "batch-executor.clients." + "a".repeat(33) + ": '",
        "batch-executor.clients." + "a".repeat(33) + ".execution-profiles=local");
    fails(
        "batch-executor.execution-profiles.local.max-vcpu 1.0 < vcpu 2.0",
        "batch-executor.execution-profiles.local.max-vcpu=1");
    fails(
        "batch-executor.execution-profiles.local.max-time-limit 86400 < time-limit 100000",
        "batch-executor.awsbatch.time-limit=100000");
    fails(
        "batch-executor.execution-profiles.team.awsbatch.batch-execution-role-name: {client} is"
            + " allowed in batch-job-role-name only",
        "batch-executor.execution-profiles.team.awsbatch.batch-execution-role-name=E-{client}");
    fails(
        "batch-executor.execution-profiles.team.awsbatch.batch-job-role-name must be an IAM role",
        "batch-executor.execution-profiles.team.awsbatch.batch-job-role-name="
            + "r".repeat(40)
            + "-{client}");
    fails(
        "batch-executor.execution-profiles.team.awsbatch.batch-queue must be",
        "batch-executor.execution-profiles.team.awsbatch.batch-queue=no spaces");
    fails(
        "batch-executor.execution-profiles.team.allowed-base-images[1]: not an image reference"
            + " pattern",
        "batch-executor.execution-profiles.team.allowed-base-images=python:3,python 3");
  }

  @Test
  void aClientsSubmissionLimitsComeFromItsEntryThenClientDefaultsThenTheBuiltInOnes() {
    runner
        .withPropertyValues(
            "batch-executor.clients.bulk.max-unfinished-tasks=50000",
            "batch-executor.clients.bulk.submissions-per-second=0",
            "batch-executor.client-defaults.submissions-per-second=2.5",
            "batch-executor.client-defaults.max-runs-per-request=0")
        .run(
            context -> {
              Clients clients = context.getBean(Clients.class);
              assertThat(clients.maxUnfinishedTasks("bulk")).isEqualTo(50_000);
              assertThat(clients.submissionsPerSecond("bulk")).as("0: no rate limit").isZero();
              assertThat(clients.maxRunsPerRequest("bulk")).as("client-defaults'").isZero();
              assertThat(clients.submissionBurst("bulk")).isEqualTo(1000);
              assertThat(clients.maxUnfinishedTasks("anyone")).isEqualTo(10_000);
              assertThat(clients.submissionsPerSecond("anyone")).isEqualTo(2.5);
              assertThat(clients.maxRunsPerRequest("anyone")).isZero();
            });
    runner.run(
        context -> {
          Clients clients = context.getBean(Clients.class);
          assertThat(clients.submissionsPerSecond("anyone")).isEqualTo(100.0);
          assertThat(clients.maxRunsPerRequest("anyone")).isEqualTo(100_000);
        });
  }

  @Test
  void eachOfTheDeploymentsBackendsHasItsDefaultProfileAndEveryClientMayUseThem() {
    runner
        .withPropertyValues(
            "batch-executor.backends=local,awsbatch",
            "batch-executor.execution-profiles.gpu.backend=awsbatch",
            "batch-executor.execution-profiles.big.max-vcpu=32")
        .run(
            context -> {
              ExecutionProfiles profiles = context.getBean(ExecutionProfiles.class);

              assertThat(profiles.defaults())
                  .extracting(ExecutionProfile::name)
                  .containsExactly("local", "awsbatch");
              assertThat(profiles.defaultProfile().name()).isEqualTo("local");
              assertThat(profiles.named("gpu").orElseThrow().backendName()).isEqualTo("awsbatch");
              assertThat(profiles.named("big").orElseThrow().backendName())
                  .as("the default backend's")
                  .isEqualTo("local");
              assertThat(profiles.defaultOf("awsbatch").orElseThrow().name()).isEqualTo("awsbatch");
              assertThat(context.getBean(Clients.class).profilesOf("anyone"))
                  .extracting(ExecutionProfile::name)
                  .containsExactly("local", "awsbatch");
            });
  }

  @Test
  void aProfileOnABackendTheDeploymentDoesNotRunStopsStartUp() {
    fails(
        "batch-executor.execution-profiles.gpu.backend is awsbatch, but this deployment runs local",
        "batch-executor.execution-profiles.gpu.backend=awsbatch");
    fails(
        "batch-executor.execution-profiles.awsbatch.backend is local, but awsbatch is the default"
            + " profile of the awsbatch backend",
        "batch-executor.backends=local,awsbatch",
        "batch-executor.execution-profiles.awsbatch.backend=local");
  }

  @Test
  void aSubmissionLimitOutOfRangeStopsStartUpNamingIt() {
    fails("submissionsPerSecond", "batch-executor.client-defaults.submissions-per-second=-1");
    fails("submissionBurst", "batch-executor.clients.team.submission-burst=0");
    fails("maxRunsPerRequest", "batch-executor.clients.team.max-runs-per-request=10000001");
  }

  private void fails(String message, String... properties) {
    runner
        .withPropertyValues(properties)
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(messages(context.getStartupFailure())).contains(message);
            });
  }

  private static String messages(Throwable failure) {
    List<String> messages = new ArrayList<>();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      messages.add(String.valueOf(t.getMessage()));
    }
    return String.join("\n", messages);
  }
}
