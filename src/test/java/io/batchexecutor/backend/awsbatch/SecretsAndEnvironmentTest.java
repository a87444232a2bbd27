package io.batchexecutor.backend.awsbatch;

import static io.batchexecutor.backend.awsbatch.AwsBatchStepsTest.CONTEXT;
import static io.batchexecutor.backend.awsbatch.AwsBatchStepsTest.registering;
import static io.batchexecutor.backend.awsbatch.AwsBatchStepsTest.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.config.TenancyProperties;
import io.batchexecutor.runner.RunnerContract;
import io.batchexecutor.support.TaskBuilder;
import io.batchexecutor.task.FileTransfer;
import io.batchexecutor.task.InvalidTaskException;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.batch.model.KeyValuePair;
import software.amazon.awssdk.services.batch.model.Secret;
import tools.jackson.databind.json.JsonMapper;

/**
 * A task's environment in SubmitJob's overrides; the secrets it names from its execution profile in
 * its job definition (so in its fingerprint), checked against the profile at acceptance and at
 * start-up.
 */
class SecretsAndEnvironmentTest {

  static final String DB = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf";
  static final String TOKEN = "arn:aws:ssm:us-east-1:123456789012:parameter/prod/token";

  final FakeBatch batch = new FakeBatch();
  final AwsAccount account = new AwsAccount(new AwsBatchStepsTest.FakeSts());
  final ProfileSecrets secrets =
      new ProfileSecrets(Map.of("team", Map.of("DB_PASSWORD", DB, "API_TOKEN", TOKEN)));

  RegisterJobDefinition register() {
    return new RegisterJobDefinition(
        batch, batch, account, null, null, Clock.systemUTC(), null, null, Map.of(), secrets);
  }

  static TaskSettings with(Map<String, String> environment, List<String> names) {
    TaskSettings s = settings(2.0, 4.0, 0, "r", "e").withExecutionProfile("team");
    return new TaskSettings(
        s.executionProfile(),
        s.s3BucketName(),
        s.ecrRepoName(),
        s.batchJobDefinitionName(),
        s.batchQueue(),
        s.batchExecutionRoleName(),
        s.batchJobRoleName(),
        s.batchJobLogGroupName(),
        s.vcpu(),
        s.memory(),
        s.numGpus(),
        s.retryAttempts(),
        s.timeLimit(),
        s.pollFreq(),
        "awsbatch",
        environment,
        names);
  }

  @Test
  void theSecretsATaskNamesAreItsDefinitionsValueFromSortedAndPartOfItsFingerprint()
      throws Exception {
    String image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:env";
    register().run(registering(with(null, List.of("DB_PASSWORD", "API_TOKEN")), image), CONTEXT);
    register().run(registering(with(null, List.of("API_TOKEN", "DB_PASSWORD")), image), CONTEXT);
    register().run(registering(with(null, null), image), CONTEXT);

    assertThat(batch.registered).as("the order of the names makes no other revision").hasSize(2);
    List<Secret> given = batch.registered.get(0).containerProperties().secrets();
    assertThat(given.stream().map(s -> s.name() + "=" + s.valueFrom()))
        .containsExactly("API_TOKEN=" + TOKEN, "DB_PASSWORD=" + DB);
    assertThat(batch.registered.get(1).containerProperties().secrets())
        .as("a task that names none gets none")
        .isEmpty();
    assertThat(batch.registered.get(0).tags().get(JobDefinitions.FINGERPRINT_TAG))
        .isNotEqualTo(batch.registered.get(1).tags().get(JobDefinitions.FINGERPRINT_TAG));
  }

  @Test
  void aDefinitionWithoutSecretsKeepsItsFingerprint() {
    Task task = registering(settings(2.0, 4.0, 0, "r", "e"));
    assertThat(
            JobDefinitions.request(task, account, null, null, null, LinuxOptions.NONE, List.of())
                .tags()
                .get(JobDefinitions.FINGERPRINT_TAG))
        .as("the same as before secrets existed: existing revisions are still found")
        .isEqualTo(
            JobDefinitions.request(task, account, null, null)
                .tags()
                .get(JobDefinitions.FINGERPRINT_TAG));
  }

  @Test
  void aSecretTheProfileNoLongerGivesFailsTheTaskSayingWhich() throws Exception {
    Task task = registering(with(null, List.of("OLD_KEY")));

    register().run(task, CONTEXT);

    assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(task.statusReason()).contains("no longer gives secret OLD_KEY");
    assertThat(batch.registered).isEmpty();
  }

  @Test
  void theTasksEnvironmentGoesWithItsJobsOverrides() throws Exception {
    Task task = registering(with(Map.of("B_VAR", "2", "A_VAR", "1"), null));
    register().run(task, CONTEXT);

    new SubmitBatchJob(
            batch,
            new Throttling(1_000_000, 5, Duration.ofMillis(20), Duration.ofMillis(40), d -> {}))
        .run(task, CONTEXT);

    List<KeyValuePair> environment = batch.submitted.get(0).containerOverrides().environment();
    assertThat(environment.subList(0, 2).stream().map(e -> e.name() + "=" + e.value()))
        .containsExactly("A_VAR=1", "B_VAR=2");
    assertThat(environment.stream().map(KeyValuePair::name))
        .contains("BATCH_EXECUTOR_RESULT_S3_URI");
    assertThat(batch.registered.get(0).containerProperties().environment())
        .as("not in the definition: one revision serves every environment")
        .noneMatch(e -> e.name().equals("A_VAR"));
  }

  @Test
  void aTaskWithFilesIsToldTheMostBytesItMayKeepForItsClient() {
    Task plain = TaskBuilder.aTask().backend("awsbatch").build();
    Task withFiles =
        Task.accept(
            UUID.randomUUID(),
            "tester",
            "files",
            plain
                .spec()
                .withFiles(
                    List.of(new FileTransfer("/tmp/out.csv", FileTransfer.AFTER, null, null))),
            plain.settings(),
            "awsbatch",
            Instant.parse("2026-01-01T00:00:00Z"));
    JsonMapper json = JsonMapper.builder().build();

    assertThat(JobDefinitions.taskEnvironment(withFiles, json, 4096))
        .as("the runner refuses to upload a kept file over max-result-size")
        .contains(
            KeyValuePair.builder().name(RunnerContract.MAX_KEPT_FILE_SIZE).value("4096").build());
    assertThat(JobDefinitions.taskEnvironment(plain, json, 4096))
        .noneMatch(e -> e.name().equals(RunnerContract.MAX_KEPT_FILE_SIZE));
  }

  @Test
  void aSecretTheProfileDoesNotGiveIsRefusedListingItsNamesNotItsArns() {
    List<InvalidTaskException.Violation> problems =
        secrets.problems(with(null, List.of("DB_PASSWORD", "ROOT")));

    assertThat(problems)
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.field()).isEqualTo("executor.secrets[1]");
              assertThat(p.kind()).isEqualTo(InvalidTaskException.SECRET_NOT_ALLOWED);
              assertThat(p.message()).contains("API_TOKEN, DB_PASSWORD").doesNotContain("arn:");
            });
    assertThat(new ProfileSecrets(Map.of()).problems(with(null, List.of("X"))))
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("gives none"));
  }

  @Test
  void badNamesAndArnsStopTheServiceNamingTheSettingNotTheArn() {
    TenancyProperties tenancy =
        new TenancyProperties(
            null,
            null,
            Map.of(
                "team",
                new TenancyProperties.Profile(
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    new TenancyProperties.AwsBatch(
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        Map.of(
                            "AWS_SECRET_ACCESS_KEY", DB,
                            "GOOD", "arn:aws:s3:::bucket/secret-file",
                            "FINE", TOKEN)))));

    assertThatThrownBy(() -> ProfileSecrets.of(tenancy))
        .hasMessageContaining("execution-profiles.team.awsbatch.secrets.AWS_SECRET_ACCESS_KEY")
        .hasMessageContaining("execution-profiles.team.awsbatch.secrets.GOOD must be the ARN")
        .hasMessageNotContaining("FINE")
        .hasMessageNotContaining("bucket/secret-file");
    assertThat(ProfileSecrets.isArn(DB)).isTrue();
    assertThat(ProfileSecrets.isArn(DB + ":password::")).as("a JSON key of the secret").isTrue();
    assertThat(ProfileSecrets.isArn(TOKEN)).isTrue();
    assertThat(ProfileSecrets.isArn("prod/db")).isFalse();
  }
}
