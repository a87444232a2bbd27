package io.batchexecutor.task;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TaskErrorTest {

  @Test
  void aLongMessageKeepsItsBeginningAndALongTracebackItsEnd() {
    String message = "m".repeat(TaskError.MAX_MESSAGE) + "LOST";
    String traceback = "LOST" + "t".repeat(TaskError.MAX_TRACEBACK);

    TaskError error = new TaskError("ValueError", message, traceback);

    int kept = TaskError.MAX_MESSAGE - TaskError.MARKER;
    assertThat(error.message())
        .hasSizeLessThanOrEqualTo(TaskError.MAX_MESSAGE)
        .startsWith("m".repeat(kept) + "\n[")
        .endsWith("[" + (message.length() - kept) + " more characters dropped]");
    assertThat(error.traceback())
        .hasSizeLessThanOrEqualTo(TaskError.MAX_TRACEBACK)
        .startsWith("[" + (TaskError.MARKER + 4) + " earlier characters dropped]\n")
        .endsWith("t".repeat(TaskError.MAX_TRACEBACK - TaskError.MARKER))
        .doesNotContain("LOST");
  }

  @Test
  void boundingTwiceChangesNothing() {
    TaskError once =
        new TaskError(
            "E", "m".repeat(3 * TaskError.MAX_MESSAGE), "t".repeat(TaskError.MAX_TRACEBACK * 2));

    TaskError again = new TaskError(once.type(), once.message(), once.traceback());

    assertThat(again).isEqualTo(once);
  }

  @Test
  void shortTextIsKeptAsItIsAndNoSurrogatePairIsCut() {
    assertThat(new TaskError("E", "m", "t")).isEqualTo(new TaskError("E", "m", "t"));

    int end = TaskError.MAX_MESSAGE - TaskError.MARKER;
    String pairAtTheCut = "a".repeat(end - 1) + "\uD83D\uDE00" + "b".repeat(TaskError.MAX_MESSAGE);
    assertThat(new TaskError("E", pairAtTheCut, null).message())
        .startsWith("a".repeat(end - 1) + "\n[")
        .doesNotContain("\uFFFD");
  }
}
