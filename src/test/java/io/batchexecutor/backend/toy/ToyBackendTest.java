package io.batchexecutor.backend.toy;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.pipeline.Pipeline;
import io.batchexecutor.storage.ObjectStores;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.TaskBuilder;
import io.batchexecutor.task.CancelRequests;
import io.batchexecutor.task.EventKind;
import io.batchexecutor.task.HeldTasks;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskEvent;
import io.batchexecutor.task.TaskNotifications;
import io.batchexecutor.task.TaskQueries;
import io.batchexecutor.task.TaskRepository;
import io.batchexecutor.task.TaskStatus;
import io.batchexecutor.task.WorkQueue;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.scheduling.TaskScheduler;

/**
 * "How to add a backend" (docs/architecture.md), done in the test sources: a {@link ToyBackend}
 * handed to the service's own pipeline, on the real database and object store, takes a task from
 * QUEUED to SUCCEEDED with a result the API serves, and hears the cancel of a task it holds. The
 * pipeline is made here with the toy as its one backend, as {@code PipelineConfiguration} makes it
 * from the backends of {@code batch-executor.instance.backends}: a test cannot add the toy to the
 * configuration's enum of backend names, the one line of main code a real backend adds.
 */
@ServiceTest
class ToyBackendTest {

  @Autowired TaskRepository tasks;
  @Autowired HeldTasks held;
  @Autowired WorkQueue queue;
  @Autowired TaskQueries queries;
  @Autowired CancelRequests cancels;
  @Autowired TaskNotifications notifications;
  @Autowired BatchExecutorProperties properties;
  @Autowired Clock clock;
  @Autowired TaskScheduler scheduler;
  @LocalServerPort int port;

  final ToyBackend toy;
  volatile CountDownLatch end;
  final TaskNotifications.Subscriber endings =
      new TaskNotifications.Subscriber() {
        @Override
        public void ended(UUID task, UUID workflow) {
          CountDownLatch waiting = end;
          if (waiting != null) {
            waiting.countDown();
          }
        }
      };
  Pipeline pipeline;

  ToyBackendTest(@Autowired ObjectStores stores) {
    this.toy = new ToyBackend(stores, "{\"ok\": true, \"value\": 42}");
  }

  @BeforeEach
  void startThePipelineWithTheToy() {
    notifications.subscribe(endings);
    pipeline =
        new Pipeline(
            tasks,
            held,
            queue,
            queries,
            List.of(toy),
            notifications,
            properties.pipeline(),
            clock,
            new SimpleMeterRegistry(),
            scheduler,
            "toy-instance");
    pipeline.start();
  }

  @AfterEach
  void stopIt() {
    pipeline.stop();
    notifications.unsubscribe(endings);
  }

  @Test
  void thePipelineTakesATaskOnTheToyBackendToItsEndWithAResultTheApiServes() throws Exception {
    end = new CountDownLatch(1);
    Task task = stored(false);

    assertThat(end.await(30, TimeUnit.SECONDS)).as("the task ended").isTrue();

    Task done = tasks.find(task.id()).orElseThrow();
    assertThat(done.status()).isEqualTo(TaskStatus.SUCCEEDED);
    assertThat(done.backend()).isEqualTo(ToyBackend.NAME);
    assertThat(queries.events(task.id()).stream().filter(e -> e.kind() == EventKind.STATUS))
        .extracting(TaskEvent::toStatus)
        .containsExactly(
            TaskStatus.QUEUED,
            TaskStatus.BUILDING,
            TaskStatus.SUBMITTED,
            TaskStatus.RUNNING,
            TaskStatus.SUCCEEDED);
    assertThat(queries.events(task.id()).stream().filter(e -> e.kind() == EventKind.CLAIMED))
        .as("claimed again after the hand-over released it")
        .hasSize(2);
    Api.Response result = new Api(port).get("/api/v1/tasks/" + task.id() + "/result");
    assertThat(result.status()).isEqualTo(200);
    assertThat(result.json().asInt()).isEqualTo(42);
    assertThat(toy.stopped()).isEmpty();
  }

  @Test
  void aCancelRequestStopsWhatTheToyHoldsAndEndsTheTask() throws Exception {
    Task task = stored(true);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (tasks.find(task.id()).orElseThrow().status() != TaskStatus.SUBMITTED
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(tasks.find(task.id()).orElseThrow().status()).isEqualTo(TaskStatus.SUBMITTED);
    end = new CountDownLatch(1);

    assertThat(cancels.request(task.id(), clock.instant())).isTrue();

    assertThat(end.await(30, TimeUnit.SECONDS)).as("the task ended").isTrue();
    assertThat(tasks.find(task.id()).orElseThrow().status()).isEqualTo(TaskStatus.CANCELLED);
    assertThat(toy.stopped()).containsExactly(task.id());
  }

  /** A task of the client {@code tester} on the toy backend, stored QUEUED (and announced). */
  private Task stored(boolean held) {
    Task task =
        TaskBuilder.aTask()
            .owner("tester")
            .backend(ToyBackend.NAME)
            .acceptedAt(clock.instant())
            .build();
    if (held) {
      toy.holding(task.id());
    }
    tasks.insert(task, null, null);
    return task;
  }
}
