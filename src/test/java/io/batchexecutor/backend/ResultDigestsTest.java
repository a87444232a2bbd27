package io.batchexecutor.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchexecutor.image.Runner;
import io.batchexecutor.support.Sha256;
import io.batchexecutor.support.TaskBuilder;
import io.batchexecutor.task.Task;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultDigestsTest {

  static final byte[] DOCUMENT = "{\"ok\": true, \"value\": 3}".getBytes(StandardCharsets.UTF_8);

  @Test
  void whatWasCollectedIsReadBackAsItIs() {
    Task task = TaskBuilder.aTask().build();
    task.resultsCollected(ResultDigests.of(Map.of("result.json", DOCUMENT, "logs.txt", DOCUMENT)));

    assertThat(task.resultDigests()).containsOnlyKeys("result.json");
    assertThat(ResultDigests.check(task, "result.json", DOCUMENT, "the result")).isSameAs(DOCUMENT);
  }

  @Test
  void changedBytesOrAFileThatWasNotCollectedAreRefusedNamingThem() {
    Task task = TaskBuilder.aTask().build();
    task.resultsCollected(ResultDigests.of(Map.of("result.json", DOCUMENT)));
    byte[] changed = "{\"ok\": true, \"value\": 4}".getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> ResultDigests.check(task, "result.json", changed, "the input 'a'"))
        .isInstanceOf(ResultDigests.AlteredResultException.class)
        .hasMessageContaining("the input 'a' (result.json of task " + task.id() + ")")
        .hasMessageContaining(Sha256.hex(DOCUMENT));
    assertThatThrownBy(() -> ResultDigests.check(task, "result.pickle", changed, "the input 'a'"))
        .isInstanceOf(ResultDigests.AlteredResultException.class);
  }

  @Test
  void aTaskThatEndedBeforeDigestsWereKeptIsReadUnchecked() {
    Task task = TaskBuilder.aTask().build();

    assertThat(ResultDigests.check(task, "result.json", DOCUMENT, "the result")).isSameAs(DOCUMENT);
  }

  @Test
  void theRunnerReadsTheEnvironmentTheServiceSets() {
    String runner = new String(Runner.script(), StandardCharsets.UTF_8);

    assertThat(runner)
        .contains("\"" + ResultDigests.PAYLOAD_SHA256_ENV + "\"")
        .contains("\"" + ResultDigests.INPUT_SHA256_ENV + "\"");
    RunnerOutcome.REFUSALS.forEach(kind -> assertThat(runner).contains("\"" + kind + "\""));
  }
}
