package io.batchexecutor.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.image.Runner;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** {@code runner.py} and {@link RunnerContract} say the same: a change to one fails here. */
class RunnerContractTest {

  final String runner = new String(Runner.script(), StandardCharsets.UTF_8);

  @Test
  void theExitCodesAreTheSame() {
    assertThat(constant("EXIT_RAISED")).isEqualTo(String.valueOf(RunnerContract.EXIT_RAISED));
    assertThat(constant("EXIT_RUNNER_FAILED"))
        .isEqualTo(String.valueOf(RunnerContract.EXIT_RUNNER_FAILED));
  }

  @Test
  void theSubWorkflowKeyAndModuleAreTheSame() {
    assertThat(constant("WORKFLOW_KEY")).isEqualTo('"' + RunnerContract.WORKFLOW_KEY + '"');
    assertThat(constant("TASK_API_MODULE")).isEqualTo('"' + RunnerContract.TASK_MODULE + '"');
  }

  @Test
  void theFilesOfATaskAreWhereTheServiceAndTheRunnerAgree() {
    assertThat(constant("UPLOADS_DIR")).isEqualTo('"' + RunnerContract.UPLOADS_DIR + '"');
    assertThat(constant("KEPT_FILE_PREFIX")).isEqualTo('"' + RunnerContract.KEPT_FILE_PREFIX + '"');
  }

  @Test
  void theRunnerReadsEveryVariableOfTheContractAndNoOther() {
    RunnerContract.ENVIRONMENT.forEach(
        name -> assertThat(runner).as(name).contains("\"" + name + "\""));
    Matcher read = Pattern.compile("\"(BATCH_EXECUTOR_[A-Z0-9_]+)\"").matcher(runner);
    while (read.find()) {
      assertThat(RunnerContract.ENVIRONMENT).as("runner.py reads").contains(read.group(1));
    }
  }

  @Test
  void theRunnerWritesTheFilesTheServiceReads() {
    assertThat(runner)
        .contains("\"" + RunnerContract.RESULT_FILE + "\"")
        .contains("\"" + RunnerContract.PICKLE_FILE + "\"")
        .contains("\"" + RunnerContract.STDOUT_FILE + "\"")
        .contains("\"" + RunnerContract.STDERR_FILE + "\"");
    RunnerContract.REFUSALS.forEach(kind -> assertThat(runner).contains("\"" + kind + "\""));
  }

  @Test
  void aResultIsReadAsOneOfItsKinds() {
    JsonMapper json = JsonMapper.builder().build();
    RunnerResult value = RunnerResult.parse(json, "{\"ok\": true, \"value\": 3}".getBytes());
    RunnerResult workflow =
        RunnerResult.parse(
            json, "{\"ok\": true, \"workflow\": {\"tasks\": {}, \"output\": 1}}".getBytes());
    RunnerResult refused =
        RunnerResult.parse(
            json, "{\"ok\": false, \"error\": {\"type\": \"InputAltered\"}}".getBytes());

    assertThat(value.returned()).isTrue();
    assertThat(value.isWorkflow()).isFalse();
    assertThat(workflow.isWorkflow()).isTrue();
    assertThat(workflow.hasValue()).isFalse();
    assertThat(refused.refused()).isTrue();
    assertThat(refused.returned()).isFalse();
  }

  private String constant(String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " = (\\S+)").matcher(runner);
    assertThat(m.find()).as(name + " in runner.py").isTrue();
    return m.group(1);
  }
}
