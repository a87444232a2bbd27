package io.batchexecutor.backend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Following an output chunk by chunk, and going on in a complete copy of it (a full read, the copy
 * stored at the end) without repeating or losing text.
 */
class LogPositionTest {

  @Test
  void chunksOfOneSourceAddUpAndAnotherSourceStartsAfresh() {
    LogChunk first = LogPosition.START.next("c1", "one\n", "k1", true);
    LogChunk second = first.next().next("c1", "two\n", "k2", true);
    assertThat(second.next().source()).isEqualTo("c1");
    assertThat(second.next().cursor()).isEqualTo("k2");
    assertThat(second.next().characters()).isEqualTo(8);

    LogChunk retried = second.next().next("c2", "again\n", "k1", true);
    assertThat(retried.next().source()).isEqualTo("c2");
    assertThat(retried.next().characters()).as("counted anew for the new source").isEqualTo(6);
  }

  @Test
  void theStoredCopyGoesOnAfterWhatWasSent() {
    LogPosition sent = LogPosition.START.next("c1", "one\ntw", "k", true).next();

    LogChunk rest = sent.rest("one\ntwo\nthree\n");

    assertThat(rest.text()).isEqualTo("o\nthree\n");
    assertThat(rest.next().characters()).isEqualTo(14);
    assertThat(rest.next().rest("one\ntwo\nthree\n").text()).as("nothing twice").isEmpty();
  }

  @Test
  void aCopyThatDoesNotBeginWithWhatWasSentIsAnotherAttemptsAndIsSentWhole() {
    LogPosition sent = LogPosition.START.next("c1", "attempt 1 printed this\n", "k", true).next();

    assertThat(sent.rest("attempt 2 printed that\nand more\n").text())
        .as("same length, other text")
        .isEqualTo("attempt 2 printed that\nand more\n");
    assertThat(sent.rest("short\n").text()).as("shorter").isEqualTo("short\n");
  }

  @Test
  void theRunnersLineBreakBeforeItsResultFrameIsNotInTheStoredCopy() {
    // the runner writes "\n<frame>" at the end; the stored output leaves out both
    LogPosition sent = LogPosition.START.next("c1", "last line\n", "k", true).next();

    LogChunk rest = sent.rest("last line");

    assertThat(rest.text()).isEmpty();
    assertThat(sent.rest("last line\n").text()).isEmpty();
    assertThat(sent.rest("last line\nlater\n").text()).isEqualTo("later\n");
  }

  @Test
  void aFullReadIsCutWhereTheLastOneEnded() {
    LogChunk first = LogPosition.START.rest("a\nb\n");
    LogChunk second = first.next().rest("a\nb\nc\n");
    LogChunk third = second.next().rest("a\nb\nc\n");

    assertThat(first.text()).isEqualTo("a\nb\n");
    assertThat(second.text()).isEqualTo("c\n");
    assertThat(third.text()).isEmpty();
    assertThat(third.caughtUp()).isTrue();
  }
}
