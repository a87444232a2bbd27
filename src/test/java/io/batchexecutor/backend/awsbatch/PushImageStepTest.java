package io.batchexecutor.backend.awsbatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.backend.StepResult;
import io.batchexecutor.support.TaskBuilder;
import io.batchexecutor.support.TestStepContext;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/**
 * The push step's first run only moves a built task to PUSHING and asks for that status to be
 * written first; the push itself is its next run.
 */
class PushImageStepTest {

  static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");

  @Test
  void aBuiltTaskIsMovedToPushingAndWrittenBeforeThePush() throws InterruptedException {
    FakeEcr ecr = new FakeEcr("127.0.0.1:5000");
    Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
    PushImage push = new PushImage(null, ecr, new EcrLogin(ecr, clock), clock);
    Task task = TaskBuilder.aTask().backend("awsbatch").build();
    task.startBuilding(T0);
    task.imageBuilt("batch-executor-env:abc", true, true, T0);

    assertThat(push.handles(task)).isTrue();
    StepResult first = push.run(task, new TestStepContext(() -> T0));

    assertThat(first).isEqualTo(StepResult.statusFirst());
    assertThat(task.status()).isEqualTo(TaskStatus.PUSHING);
    assertThat(task.statusReason()).isEqualTo("pushing batch-executor-env:abc");
    assertThat(ecr.tokenCalls).as("nothing asked of ECR yet").hasValue(0);

    assertThat(push.handles(task)).as("the push is this step's next run").isTrue();
    push.run(task, new TestStepContext(() -> T0));
    assertThat(task.status())
        .as("the push asks ECR for the repository, which does not exist here")
        .isEqualTo(TaskStatus.FAILED);
    assertThat(task.error().type()).isEqualTo("RepositoryNotFound");
  }
}
