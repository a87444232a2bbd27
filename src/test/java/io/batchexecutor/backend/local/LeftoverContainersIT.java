package io.batchexecutor.backend.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import io.batchexecutor.task.TaskQueries;
import io.batchexecutor.task.TaskRepository;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What an instance stopped between storing a task's outputs and removing its container leaves
 * behind is removed later — and nothing else: not the container of a task still under way, not a
 * container that still runs, not a container of a task this database does not know.
 */
@ServiceTest
class LeftoverContainersIT {

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;
  @Autowired TaskRepository tasks;
  @Autowired TaskQueries queries;
  DockerClient docker;
  final List<String> created = new ArrayList<>();

  @BeforeEach
  void engine() {
    docker = DockerAvailable.client();
    DockerAvailable.assume(docker);
  }

  @AfterEach
  void removeWhatIsLeft() {
    for (String id : created) {
      try {
        docker.removeContainerCmd(id).withForce(true).exec();
      } catch (RuntimeException e) {
        // removed by the test's subject
      }
    }
  }

  @Test
  void onlyStoppedContainersOfEndedTasksAreRemoved() {
    Api api = new Api(port);
    UUID ended =
        UUID.fromString(api.post("/api/v1/tasks", Tasks.add().build()).json().get("id").asString());
    UUID underWay =
        UUID.fromString(api.post("/api/v1/tasks", Tasks.add().build()).json().get("id").asString());
    jdbc.sql("UPDATE task SET status = 'SUCCEEDED', finished_at = now() WHERE id = :id")
        .param("id", ended)
        .update();
    String exitedOfEnded = container(ended, false);
    String runningOfEnded = container(ended, true);
    String exitedOfUnderWay = container(underWay, false);
    String exitedOfUnknown = container(UUID.randomUUID(), false);
    LocalContainers containers =
        new LocalContainers(docker, null, null, ContainerConfinement.defaults());

    int removed = new RemoveLeftoverContainers(containers, queries).removeLeftovers();

    assertThat(exists(exitedOfEnded)).as("exited container of an ended task").isFalse();
    assertThat(exists(runningOfEnded)).as("a container that still runs").isTrue();
    assertThat(exists(exitedOfUnderWay)).as("the container of a task under way").isTrue();
    assertThat(exists(exitedOfUnknown)).as("a container of a task we do not know").isTrue();
    assertThat(removed).isEqualTo(1);
  }

  private String container(UUID task, boolean running) {
    String id =
        docker
            .createContainerCmd(DockerAvailable.BASE_IMAGE)
            .withCmd(running ? List.of("sleep", "120") : List.of("true"))
            .withLabels(Map.of(LocalContainers.TASK_LABEL, task.toString()))
            .withHostConfig(
                com.github.dockerjava.api.model.HostConfig.newHostConfig().withNetworkMode("host"))
            .exec()
            .getId();
    created.add(id);
    docker.startContainerCmd(id).exec();
    if (!running) {
      docker
          .waitContainerCmd(id)
          .exec(new com.github.dockerjava.api.command.WaitContainerResultCallback())
          .awaitStatusCode();
    }
    return id;
  }

  private boolean exists(String id) {
    return !docker.listContainersCmd().withShowAll(true).withIdFilter(List.of(id)).exec().isEmpty();
  }
}
