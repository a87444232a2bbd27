package io.batchexecutor.backend.local;

import com.github.dockerjava.api.command.InspectContainerResponse;
import io.batchexecutor.task.Task;
import java.util.Optional;

/**
 * Launches the attempts of a task's containers: the first attempt ({@link LaunchContainer}) and
 * every next one that {@link AttemptPolicy} asks for ({@link TaskAttempts}, {@link SweepAttempts}).
 * Containers are named after the task, the attempt and the sweep's run, so a launch after a crash
 * finds the container an earlier one created instead of creating a second.
 */
interface AttemptLauncher {

  /**
   * Attempt {@code attempt} of the task's one run, created (or found) and started: its id. A
   * container found already started (running or ended) is handed back as it is, never started
   * again.
   *
   * @throws io.batchexecutor.backend.TaskInputs.UploadGoneException when a staged upload the
   *     container gets is gone (the container is removed)
   */
  String launch(Task task, int attempt);

  /**
   * Attempt {@code attempt} of run {@code index} of the task's sweep, created (or found), not yet
   * started ({@link #startIfCreated}): its id.
   */
  String create(Task task, int attempt, int index);

  /**
   * The container {@code inspected}, started first when it was only created and never ran (launched
   * by a run that ended before starting it); as the engine shows it then, empty when it is gone.
   */
  Optional<InspectContainerResponse> startIfCreated(Task task, InspectContainerResponse inspected);
}
