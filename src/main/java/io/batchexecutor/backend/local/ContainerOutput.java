package io.batchexecutor.backend.local;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import io.batchexecutor.config.ResultSizeLimit;
import io.batchexecutor.runner.RunnerContract;
import io.batchexecutor.task.FileTransfer;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskObjects;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * What a task's containers print and leave behind: their output as the engine keeps it (capped by
 * {@code batch-executor.local.max-log-size}), read whole, from where a follower left off or its
 * last lines; and the runner's output files, read from the container's volume on the engine's host
 * or copied out of the container ({@link OutputOnHost}), never taken from what it printed.
 */
class ContainerOutput {

  private final DockerClient docker;
  private final ResultSizeLimit maxResult;

  ContainerOutput(DockerClient docker, ResultSizeLimit maxResult) {
    this.docker = docker;
    this.maxResult = maxResult;
  }

  /** The largest result file taken from a container. */
  ResultSizeLimit maxResult() {
    return maxResult;
  }

  /** A result file over {@code max-result-size} fails the task, naming the bound. */
  private void checkSize(String name, long size) {
    if (size > maxResult.bytes()) {
      throw new ResultTooLargeException(maxResult.exceeded(name, size));
    }
  }

  /** A result file larger than the service takes. */
  static final class ResultTooLargeException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    ResultTooLargeException(String message) {
      super(message);
    }
  }

  /**
   * Everything the container printed on stdout and stderr, in order; each of the engine's entries
   * (a line, or a piece of a long one) decoded on its own, as {@link #logsAfter} decodes them.
   */
  String logs(String containerId) throws InterruptedException {
    return logs(containerId, null);
  }

  /**
   * The last {@code lines} lines of what the container printed (all of it when null), as the engine
   * keeps it: the engine reads them from the end of its log.
   */
  String logs(String containerId, Integer lines) throws InterruptedException {
    StringBuilder out = new StringBuilder();
    for (byte[] entry : entries(containerId, null, lines).orElse(List.of())) {
      out.append(DockerLogCursor.text(entry));
    }
    return out.toString();
  }

  /**
   * What the container printed after {@code from}: the engine is asked only for its entries since
   * the second of the last one read ({@link DockerLogCursor}); empty when the container is gone.
   */
  Optional<DockerLogCursor.Read> logsAfter(String containerId, DockerLogCursor from)
      throws InterruptedException {
    return entries(containerId, from.since(), null).map(from::read);
  }

  /**
   * The container's log entries with their times, from second {@code since} on (all when it is
   * null), or only the last {@code tail}; empty when the container is gone.
   */
  private Optional<List<byte[]>> entries(String containerId, Integer since, Integer tail)
      throws InterruptedException {
    DockerLogCursor.Entries entries = new DockerLogCursor.Entries();
    try {
      var command =
          docker
              .logContainerCmd(containerId)
              .withStdOut(true)
              .withStdErr(true)
              .withFollowStream(false)
              .withTimestamps(true);
      if (since != null) {
        command.withSince(since);
      }
      if (tail != null) {
        command.withTail(tail);
      }
      command.exec(entries).awaitCompletion();
    } catch (NotFoundException e) {
      return Optional.empty();
    }
    return Optional.of(entries.entries());
  }

  /**
   * The output directory the container's runner was given: {@link LocalContainers#OUTPUT_DIR},
   * except in a container an earlier version of the service created (before an upgrade), whose
   * runner wrote elsewhere.
   */
  private static String outputDirectory(InspectContainerResponse container) {
    String[] env = container.getConfig() == null ? null : container.getConfig().getEnv();
    String prefix = RunnerContract.OUTPUT_DIR + "=";
    if (env != null) {
      for (String variable : env) {
        if (variable.startsWith(prefix)) {
          return variable.substring(prefix.length());
        }
      }
    }
    return LocalContainers.OUTPUT_DIR;
  }

  /**
   * The runner's four files, the only ones taken from the output directory of a container of a task
   * whose {@code files} keep nothing ({@link #taken}). Anything else the task left there is never
   * read.
   */
  static final Set<String> RUNNER_FILES =
      Set.of(
          RunnerContract.RESULT_FILE,
          RunnerContract.PICKLE_FILE,
          RunnerContract.STDOUT_FILE,
          RunnerContract.STDERR_FILE);

  /**
   * The only files taken from the output directory of {@code task}'s container: the runner's four,
   * and {@code file-<i>} for each {@code files[i]} the task keeps for the client. Anything else the
   * task left there (a {@code file-<i>} no transfer keeps included) is never read, so what the
   * service holds of one task's output is at most these files, each within {@code max-result-size}.
   */
  static Set<String> taken(Task task) {
    List<FileTransfer> files = task.spec().files();
    if (files == null || files.isEmpty()) {
      return RUNNER_FILES;
    }
    Set<String> names = new HashSet<>(RUNNER_FILES);
    for (int i = 0; i < files.size(); i++) {
      if (files.get(i).kept()) {
        names.add(RunnerContract.keptFile(i));
      }
    }
    return Set.copyOf(names);
  }

  /** The runner's copies of stdout and stderr, kept apart beside its result. */
  private static boolean isStream(String name) {
    return name.equals(TaskObjects.STDOUT) || name.equals(TaskObjects.STDERR);
  }

  /** The runner's four files ({@link #RUNNER_FILES}) left in its output directory. */
  Map<String, byte[]> outputs(String containerId) {
    InspectContainerResponse container;
    try {
      container = LocalContainers.call(() -> docker.inspectContainerCmd(containerId).exec());
    } catch (NotFoundException e) {
      return new HashMap<>(); // the container is gone
    }
    return outputs(container);
  }

  /**
   * The files the runner left in the output directory of {@code container} (as inspected: its
   * environment and mounts do not change), read on the engine's host when the service can ({@link
   * OutputOnHost}), else copied out of the container: its four files ({@link #RUNNER_FILES}).
   */
  Map<String, byte[]> outputs(InspectContainerResponse container) {
    return outputs(container, RUNNER_FILES);
  }

  /**
   * The files {@code names} (of {@link #taken}) left in the output directory of {@code container}.
   */
  Map<String, byte[]> outputs(InspectContainerResponse container, Set<String> names) {
    String directory = outputDirectory(container);
    Optional<Path> onHost = OutputOnHost.of(container, directory);
    if (onHost.isPresent()) {
      return OutputOnHost.read(
          onHost.get(),
          names,
          maxResult.bytes(),
          Set.of(TaskObjects.STDOUT, TaskObjects.STDERR),
          this::checkSize);
    }
    return copied(container.getId(), directory, names);
  }

  /**
   * The files {@code names} in the container's {@code directory}, copied out of it by the engine;
   * the archive's other entries are skipped unread.
   */
  Map<String, byte[]> copied(String containerId, String directory, Set<String> names) {
    Map<String, byte[]> files = new HashMap<>();
    try (InputStream in =
            LocalContainers.call(
                () -> docker.copyArchiveFromContainerCmd(containerId, directory).exec());
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        if (entry.isFile()) {
          String name = entry.getName().substring(entry.getName().lastIndexOf('/') + 1);
          if (!names.contains(name)) {
            continue; // not one of the runner's files: the task's own, never read into memory
          }
          if (isStream(name) && entry.getSize() > maxResult.bytes()) {
            continue; // a copy of what the container's output has: not worth failing the task
          }
          checkSize(name, entry.getSize()); // before it is read into memory
          ByteArrayOutputStream bytes = new ByteArrayOutputStream();
          tar.transferTo(bytes);
          files.put(name, bytes.toByteArray());
        }
      }
    } catch (NotFoundException e) {
      return files; // the runner wrote nothing, or the container is gone
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the task's output from " + containerId, e);
    }
    return files;
  }
}
