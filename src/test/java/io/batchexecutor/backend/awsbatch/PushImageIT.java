package io.batchexecutor.backend.awsbatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import io.batchexecutor.backend.StepContext;
import io.batchexecutor.image.ImageBuilder;
import io.batchexecutor.image.Runner;
import io.batchexecutor.image.TaskImage;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.FreePorts;
import io.batchexecutor.support.TaskBuilder;
import io.batchexecutor.support.TestRegistry;
import io.batchexecutor.support.TestStepContext;
import io.batchexecutor.task.EventKind;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The push step against the real engine and the loopback registry that .ci/provision starts. */
class PushImageIT {

  static final String REGISTRY = TestRegistry.ADDRESS;
  static DockerClient docker;
  static String localImage;

  final StepContext context = new TestStepContext(Instant::now);

  @BeforeEach
  void engineAndImage() {
    if (localImage != null) {
      return;
    }
    if (docker == null) {
      docker = DockerAvailable.client();
    }
    DockerAvailable.assume(docker);
    TestRegistry.require();
    JsonMapper json = JsonMapper.builder().build();
    TaskImage image =
        TaskImage.of(
            new TaskImage.Environment(DockerAvailable.BASE_IMAGE, List.of(), false),
            new TaskImage.Payload(
                "def f():\n    return '" + UUID.randomUUID() + "'\n",
                "f",
                json.createArrayNode(),
                json.createObjectNode()),
            Runner.script(),
            json);
    localImage = new ImageBuilder(docker, java.time.Clock.systemUTC()).build(image).reference();
  }

  @AfterAll
  static void close() throws IOException {
    if (docker != null) {
      docker.close();
    }
  }

  @Test
  void theImageIsPushedToTheRepositoryUriAndFoundThereAfterwards() throws Exception {
    FakeEcr ecr = new FakeEcr(REGISTRY);
    String repository = "batch-executor-it-" + UUID.randomUUID().toString().substring(0, 8);
    ecr.repositories.add(repository);
    PushImage step =
        new PushImage(docker, ecr, new EcrLogin(ecr, Clock.systemUTC()), Clock.systemUTC());
    Task task = pushing(repository);

    step.run(task, context);

    String tag = localImage.substring(localImage.indexOf(':') + 1);
    assertThat(task.imageRef()).isEqualTo(REGISTRY + "/" + repository + ":" + tag);
    assertThat(task.status()).isEqualTo(TaskStatus.REGISTERING);
    assertThat(tags(repository)).contains(tag);

    // the tag is in the repository now: a second task does not push again
    ecr.tagsInRegistry.add(repository + ":" + tag);
    Task again = pushing(repository);
    step.run(again, context);
    assertThat(again.pendingEvents())
        .anySatisfy(
            e -> {
              assertThat(e.kind()).isEqualTo(EventKind.IMAGE_PUSHED);
              assertThat(e.details()).containsEntry("already_there", true);
            });
    assertThat(ecr.tokenCalls.get()).as("the ECR token is cached").isEqualTo(1);
  }

  @Test
  void aMissingRepositoryFailsTheTaskWithWhatToDo() throws Exception {
    FakeEcr ecr = new FakeEcr(REGISTRY);
    Task task = pushing("not-created");

    new PushImage(docker, ecr, new EcrLogin(ecr, Clock.systemUTC()), Clock.systemUTC())
        .run(task, context);

    assertThat(task.status()).isEqualTo(TaskStatus.FAILED);
    assertThat(task.statusReason()).contains("does not exist").contains("ecr_repo_name");
  }

  @Test
  void aRefusedPushFailsTheStepInsteadOfBeingOnlyLogged() throws Exception {
    int closed = FreePorts.any();
    FakeEcr ecr = new FakeEcr("127.0.0.1:" + closed);
    ecr.repositories.add("nowhere");
    Task task = pushing("nowhere");

    assertThatThrownBy(
            () ->
                new PushImage(docker, ecr, new EcrLogin(ecr, Clock.systemUTC()), Clock.systemUTC())
                    .run(task, context))
        .isInstanceOf(RuntimeException.class)
        .satisfies(e -> assertThat(e.getMessage()).isNotBlank());
    assertThat(task.status()).isEqualTo(TaskStatus.PUSHING);
  }

  private static Task pushing(String repository) {
    Task fresh =
        TaskBuilder.aTask()
            .backend("awsbatch")
            .settings(
                new io.batchexecutor.config.TaskSettings(
                    null,
                    "bucket",
                    repository,
                    "defs",
                    "queue",
                    "e",
                    "r",
                    "logs",
                    2.0,
                    3.75,
                    0,
                    3,
                    300,
                    10,
                    null,
                    null,
                    null))
            .acceptedAt(Instant.now())
            .build();
    fresh.startBuilding(Instant.now());
    fresh.imageBuilt(localImage, false, Instant.now());
    fresh.startPushing(Instant.now());
    return fresh;
  }

  private static String tags(String repository) throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://" + REGISTRY + "/v2/" + repository + "/tags/list"))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
