package io.batchexecutor.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class BuildSlotsTest {

  @Test
  void eachClientHasItsOwnSlots() {
    BuildSlots slots = new BuildSlots(2);

    Optional<BuildSlots.Slot> a1 = slots.take("a");
    Optional<BuildSlots.Slot> a2 = slots.take("a");

    assertThat(a1).isPresent();
    assertThat(a2).isPresent();
    assertThat(slots.free("a")).isFalse();
    assertThat(slots.take("a")).as("a third of a's").isEmpty();
    assertThat(slots.free("b")).isTrue();
    assertThat(slots.take("b")).as("b is not held up by a").isPresent();
  }

  @Test
  void aSlotGivenBackIsFreeAgainAndGivingItBackTwiceChangesNothing() {
    BuildSlots slots = new BuildSlots(1);
    BuildSlots.Slot slot = slots.take("a").orElseThrow();

    slot.close();
    slot.close();

    BuildSlots.Slot again = slots.take("a").orElseThrow();
    assertThat(slots.take("a")).as("closing twice did not free a second slot").isEmpty();
    again.close();
    assertThat(slots.free("a")).isTrue();
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

    assertThat(ImageBuilder.pipError(log))
        .isEqualTo(
            "ERROR: Could not find a version that satisfies the requirement srcpkg==1.0"
                + " (from versions: none)");
    assertThat(ImageBuilder.pipError("Step 1/2 : FROM x\n")).isNull();
  }
}
