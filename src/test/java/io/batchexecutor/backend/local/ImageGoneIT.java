package io.batchexecutor.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import io.batchexecutor.backend.StepResult;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.TaskBuilder;
import io.batchexecutor.support.TestStepContext;
import io.batchexecutor.task.EventKind;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * A task whose image the engine no longer has when its container is to be created (removed after
 * the task found it) goes back to find or build its image, instead of failing.
 */
class ImageGoneIT {

  private final DockerClient docker = DockerAvailable.client();

  @BeforeEach
  void engine() {
    DockerAvailable.assume(docker);
  }

  @Test
  void aTaskWhoseImageWasRemovedLooksForItAgain() throws Exception {
    LocalContainers containers =
        new LocalContainers(
            docker, null, JsonMapper.builder().build(), ContainerConfinement.defaults());
    Task task = TaskBuilder.aTask().build();
    Instant now = Instant.now();
    task.startBuilding(now);
    String removed = "batch-executor-env:" + UUID.randomUUID().toString().replace("-", "");
    task.imageBuilt(removed, true, true, now);

    List<String> forgotten = new ArrayList<>();
    new LaunchContainer(containers, forgotten::add).run(task, new TestStepContext(() -> now));

    assertThat(task.status()).isEqualTo(TaskStatus.BUILDING);
    assertThat(task.imageRef()).as("the build step takes it up again").isNull();
    assertThat(task.containerId()).isNull();
    assertThat(task.pendingEvents())
        .anySatisfy(
            e -> {
              assertThat(e.kind()).isEqualTo(EventKind.IMAGE);
              assertThat(e.details()).containsEntry("gone", removed);
            });
    assertThat(containers.containersOf(task)).as("nothing was created").isEmpty();
    assertThat(forgotten).as("no longer taken as there").containsExactly(removed);
  }

  @Test
  void aTaskThatFindsItsImageGoneAgainAndAgainFails() throws Exception {
    LocalContainers containers =
        new LocalContainers(
            docker, null, JsonMapper.builder().build(), ContainerConfinement.defaults());
    LaunchContainer launch = new LaunchContainer(containers, image -> {});
    Task task = TaskBuilder.aTask().build();
    Instant now = Instant.now();
    task.startBuilding(now);
    String missing = "batch-executor-env:" + UUID.randomUUID().toString().replace("-", "");
    List<StepResult> results = new ArrayList<>();

    for (int i = 0; i <= LaunchContainer.MOST_IMAGE_GONE; i++) {
      task.imageBuilt(missing, true, true, now); // found again by the build step
      results.add(launch.run(task, new TestStepContext(() -> now)));
    }

    assertThat(results.get(0).next())
        .as("the first time: at once")
        .isEqualTo(StepResult.Next.CONTINUE);
    assertThat(results.get(1).next()).as("then after a moment").isEqualTo(StepResult.Next.RELEASE);
    assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(task.error().type()).isEqualTo("ImageGone");
    assertThat(task.statusReason()).contains(missing);
  }
}
