package io.batchexecutor.support.aws;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The tests' AWS endpoint refuses secrets and environment variables as AWS Batch does. */
class FakeBatchRulesTest {

  static JsonNode json(String text) {
    return AwsAnswer.JSON.readTree(text);
  }

  @Test
  void secretsWithoutAnExecutionRoleAreRefused() {
    String secrets =
        "\"secrets\":[{\"name\":\"DB\",\"valueFrom\":"
            + "\"arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf\"}]";

    assertThat(FakeBatchRules.registerRefusal(json("{\"containerProperties\":{" + secrets + "}}")))
        .contains("secrets require an executionRoleArn");
    assertThat(
            FakeBatchRules.registerRefusal(
                json(
                    "{\"containerProperties\":{\"executionRoleArn\":"
                        + "\"arn:aws:iam::123456789012:role/e\","
                        + secrets
                        + "}}")))
        .isNull();
  }

  @Test
  void aSecretFromSomethingElseThanSecretsManagerOrSsmIsRefused() {
    assertThat(
            FakeBatchRules.registerRefusal(
                json(
                    "{\"containerProperties\":{\"executionRoleArn\":\"arn:aws:iam::1:role/e\","
                        + "\"secrets\":[{\"name\":\"DB\",\"valueFrom\":\"plain\"}]}}")))
        .contains("invalid valueFrom");
  }

  @Test
  void anAwsBatchVariableIsRefusedInTheDefinitionAndInTheOverrides() {
    assertThat(
            FakeBatchRules.registerRefusal(
                json(
                    "{\"containerProperties\":{\"environment\":"
                        + "[{\"name\":\"AWS_BATCH_X\",\"value\":\"1\"}]}}")))
        .contains("cannot start with AWS_BATCH");
    assertThat(
            FakeBatchRules.submitRefusal(
                json(
                    "{\"containerOverrides\":{\"environment\":"
                        + "[{\"name\":\"AWS_BATCH_JOB_ID\",\"value\":\"1\"}]}}"),
                json("{}"),
                false))
        .contains("cannot start with AWS_BATCH");
    assertThat(
            FakeBatchRules.submitRefusal(
                json(
                    "{\"containerOverrides\":{\"environment\":"
                        + "[{\"name\":\"GREETING\",\"value\":\"1\"}]}}"),
                json("{}"),
                false))
        .isNull();
  }

  @Test
  void aFractionOfAVcpuIsRefusedOnEc2AndTakenOnFargate() {
    String half =
        "{\"containerOverrides\":{\"resourceRequirements\":[{\"type\":\"VCPU\",\"value\":\"0.5\"},"
            + "{\"type\":\"MEMORY\",\"value\":\"1024\"}]}}";
    assertThat(FakeBatchRules.submitRefusal(json(half), json("{}"), false))
        .contains("whole number of vCPUs");
    assertThat(
            FakeBatchRules.submitRefusal(
                json(half), json("{\"platformCapabilities\":[\"FARGATE\"]}"), true))
        .isNull();
    assertThat(FakeBatchRules.submitRefusal(json(half.replace("0.5", "2")), json("{}"), false))
        .isNull();
  }
}
