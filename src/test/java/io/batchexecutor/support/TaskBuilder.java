package io.batchexecutor.support;

import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskSpec;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.json.JsonMapper;

/** Builds {@link Task}s for tests that work below the HTTP API. */
public final class TaskBuilder {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private String owner = "anonymous";
  private String name = "test";
  private Instant at = Instant.parse("2026-01-01T00:00:00Z");
  private String backend = "none";
  private Object sweep;
  private TaskSpec.ImageSpec image;
  private TaskSettings settings =
      new TaskSettings(
          null, "bucket", "repo", "jobs", "queue", "exec", "job", "logs", 2.0, 3.75, 0, 3, 300, 10,
          null, null, null);

  public static TaskBuilder aTask() {
    return new TaskBuilder();
  }

  public TaskBuilder owner(String owner) {
    this.owner = owner;
    return this;
  }

  public TaskBuilder name(String name) {
    this.name = name;
    return this;
  }

  public TaskBuilder backend(String backend) {
    this.backend = backend;
    return this;
  }

  public TaskBuilder settings(TaskSettings settings) {
    this.settings = settings;
    return this;
  }

  /** A parameter sweep, e.g. {@code Map.of("C", List.of(1, 2))}. */
  public TaskBuilder sweep(Object sweep) {
    this.sweep = sweep;
    return this;
  }

  /** The image the task asks for (base image, requirements, payload mode). */
  public TaskBuilder image(TaskSpec.ImageSpec image) {
    this.image = image;
    return this;
  }

  public TaskBuilder acceptedAt(Instant at) {
    this.at = at;
    return this;
  }

  public Task build() {
    return Task.accept(
        UUID.randomUUID(),
        owner,
        name,
        new TaskSpec(
            new TaskSpec.FunctionSpec("def task(x, y):\n    return x + y\n", "task"),
            JSON.valueToTree(List.of(1, 2)),
            JSON.createObjectNode(),
            image,
            sweep == null ? null : JSON.valueToTree(sweep)),
        settings,
        backend,
        at);
  }
}
