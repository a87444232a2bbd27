package io.batchexecutor.backend;

import io.batchexecutor.image.TaskImage;
import io.batchexecutor.support.Sha256;
import io.batchexecutor.task.Sweep;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskSpec;
import tools.jackson.databind.json.JsonMapper;

/** What the runner calls for a task ({@code payload.json}), made the same way wherever needed. */
public final class TaskPayload {

  private TaskPayload() {}

  /** {@code payload.json} of {@code task}: the same bytes wherever and however often made. */
  public static byte[] json(Task task, JsonMapper json) {
    return TaskImage.payloadJson(of(task), json);
  }

  /**
   * The SHA-256 of {@code payload.json} of {@code task}, which the runner checks the payload it
   * reads against (wherever it reads it from: the environment, a file, the object store).
   */
  public static String digest(Task task, JsonMapper json) {
    return Sha256.hex(json(task, json));
  }

  /**
   * What the runner calls for {@code task}: a sweep as its axes ({@link Sweep#payload}), or, for a
   * sweep accepted before payloads carried the axes, as every combination, the bytes its image,
   * staged payload and digest were made from.
   */
  static TaskImage.Payload of(Task task) {
    TaskSpec spec = task.spec();
    return new TaskImage.Payload(
        spec.function().source(),
        spec.function().name(),
        spec.args(),
        spec.kwargs(),
        !spec.hasSweep()
            ? null
            : spec.sweepPayloadExpanded()
                ? Sweep.expanded(spec.sweep())
                : Sweep.payload(spec.sweep()),
        spec.hasFiles() ? spec.files() : null);
  }
}
