package io.batchexecutor.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BuildSlotsTest {

  @Test
  void eachClientHasItsOwnSlots() {
    BuildSlots slots = new BuildSlots(2);

    Optional<BuildSlots.Slot> a1 = slots.take("a", "t");
    Optional<BuildSlots.Slot> a2 = slots.take("a", "t");

    assertThat(a1).isPresent();
    assertThat(a2).isPresent();
    assertThat(slots.free("a")).isFalse();
    assertThat(slots.take("a", "t")).as("a third of a's").isEmpty();
    assertThat(slots.free("b")).isTrue();
    assertThat(slots.take("b", "t")).as("b is not held up by a").isPresent();
  }

  @Test
  void aSlotGivenBackIsFreeAgainAndGivingItBackTwiceChangesNothing() {
    BuildSlots slots = new BuildSlots(1);
    BuildSlots.Slot slot = slots.take("a", "t").orElseThrow();

    slot.close();
    slot.close();

    BuildSlots.Slot again = slots.take("a", "t").orElseThrow();
    assertThat(slots.take("a", "t")).as("closing twice did not free a second slot").isEmpty();
    again.close();
    assertThat(slots.free("a")).isTrue();
  }

  @Test
  void theMoreOfAClientsTasksWaitTheLongerEachWaits() {
    BuildSlots slots = new BuildSlots(2);
    Duration base = Duration.ofSeconds(2);
    Duration max = Duration.ofSeconds(30);

    assertThat(slots.waitFor("a", 1, base, max)).isEqualTo(Duration.ofSeconds(2));
    assertThat(slots.waitFor("a", 2, base, max)).isEqualTo(Duration.ofSeconds(2));
    assertThat(slots.waitFor("a", 2, base, max)).as("the same task again").isEqualTo(base);
    assertThat(slots.waitFor("a", 3, base, max)).isEqualTo(Duration.ofSeconds(4));
    assertThat(slots.waitFor("b", 1, base, max)).as("another client's line").isEqualTo(base);
    for (int task = 4; task < 100; task++) {
      slots.waitFor("a", task, base, max);
    }
    assertThat(slots.waitFor("a", 100, base, max)).isEqualTo(max);

    slots.take("a", 100).orElseThrow().close();
    for (int task = 2; task < 100; task++) {
      slots.take("a", task).orElseThrow().close();
    }
    assertThat(slots.waitFor("a", 1, base, max))
        .as("tasks that got a slot wait no more")
        .isEqualTo(base);
  }

  @Test
  void aClientNeedsAtLeastOneSlot() {
    assertThatThrownBy(() -> new BuildSlots(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void pipsFirstErrorLineNamesWhatItCouldNotInstall() {
    String log =
        "Step 3/5 : RUN [\"python3\"]\n"
            + " ---> Running in 0123\n"
            + "ERROR: Could not find a version that satisfies the requirement srcpkg==1.0"
            + " (from versions: none)\n"
            + "ERROR: No matching distribution found for srcpkg==1.0\n";

    assertThat(BuildStream.pipError(log))
        .isEqualTo(
            "ERROR: Could not find a version that satisfies the requirement srcpkg==1.0"
                + " (from versions: none)");
    assertThat(BuildStream.pipError("Step 1/2 : FROM x\n")).isNull();
  }
}
