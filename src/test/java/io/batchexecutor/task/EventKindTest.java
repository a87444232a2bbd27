package io.batchexecutor.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Modifier;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class EventKindTest {

  /**
   * The names are stored in {@code task_event.kind} and served as the events' {@code kind}, which
   * the dashboard and clients read: a kind is added, never renamed.
   */
  @Test
  void theKindsKeepTheirStoredNames() {
    assertThat(Arrays.stream(EventKind.values()).map(Enum::name))
        .contains(
            "STATUS",
            "STATUS_REASON",
            "CLAIMED",
            "LEASE_EXPIRED",
            "CANCEL_REQUESTED",
            "REUSED",
            "IMAGE",
            "IMAGE_PUSHED",
            "JOB_DEFINITION",
            "RECOVERED",
            "FARGATE_SIZE",
            "LINUX_OPTIONS_LEFT_OUT",
            "LIMITED",
            "ATTEMPT",
            "RETRY",
            "CONTAINER",
            "LOG_STREAM",
            "UNREACHABLE",
            "REACHABLE",
            "VCPU_ROUNDED");
  }

  @Test
  void anEventIsServedWithItsKindsName() {
    TaskEvent event =
        new TaskEvent(Instant.EPOCH, EventKind.RETRY, null, null, "again", Map.of("attempt", 2));

    assertThat(JsonMapper.builder().build().writeValueAsString(event))
        .contains("\"kind\":\"RETRY\"");
  }

  @Test
  void recordingByKindIsLeftToThisPackage() throws NoSuchMethodException {
    int modifiers =
        TaskHistory.class
            .getDeclaredMethod("record", EventKind.class, String.class, Map.class, Instant.class)
            .getModifiers();

    assertThat(Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers)).isFalse();
  }
}
