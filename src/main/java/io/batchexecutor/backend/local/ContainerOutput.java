package io.batchexecutor.backend.local;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import io.batchexecutor.config.ResultSizeLimit;
import io.batchexecutor.task.Task;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import tools.jackson.databind.JsonNode;

/**
 * What a task's containers print and leave behind: their output, read whole or from where a
 * follower left off, and the runner's outputs, taken from the framed line it ends its stdout with
 * or copied out of the container.
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

  static final String MARKER_PREFIX = "@@batch-executor-result-";

  /** The marker that frames the runner's outputs at the end of its stdout. */
  static String resultMarker(Task task, int attempt) {
    return MARKER_PREFIX + task.id() + "-" + attempt + "@@";
  }

  /** A container's output as the task printed it: without the runner's framed last line. */
  static String withoutFrame(String logs) {
    int at = logs.lastIndexOf("\n" + MARKER_PREFIX);
    return at < 0 ? logs : logs.substring(0, at);
  }

  /** The marker of run {@code index} of a sweep. */
  static String resultMarker(Task task, int attempt, Integer sweepIndex) {
    return sweepIndex == null
        ? resultMarker(task, attempt)
        : MARKER_PREFIX + task.id() + "-" + attempt + "-s" + sweepIndex + "@@";
  }

  /**
   * The container's output and the runner's output files: read from the framed line the runner ends
   * its stdout with (one call), or copied out of the container when the outputs were too large to
   * print (two calls). The framed line is not part of the returned output.
   */
  Collected collect(String containerId, String marker) throws InterruptedException {
    String logs = logs(containerId);
    int at = logs.lastIndexOf("\n" + marker + " ");
    if (at >= 0) {
      int start = at + marker.length() + 2;
      int end = logs.indexOf('\n', start);
      String frame = end < 0 ? logs.substring(start) : logs.substring(start, end);
      Map<String, byte[]> files = new HashMap<>();
      try {
        for (Map.Entry<String, JsonNode> e : FRAME_READER.readTree(frame).properties()) {
          byte[] file = java.util.Base64.getDecoder().decode(e.getValue().asString());
          checkSize(e.getKey(), file.length);
          files.put(e.getKey(), file);
        }
        String rest = logs.substring(0, at) + (end < 0 ? "" : logs.substring(end + 1));
        return new Collected(rest, files);
      } catch (ResultTooLargeException e) {
        throw e;
      } catch (RuntimeException e) {
        // not a frame the runner wrote: fall back to the files
      }
    }
    return new Collected(logs, outputs(containerId));
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

  /** A finished container's output and the runner's files. */
  record Collected(String logs, Map<String, byte[]> files) {}

  private static final tools.jackson.databind.json.JsonMapper FRAME_READER =
      tools.jackson.databind.json.JsonMapper.builder().build();

  /**
   * Everything the container printed on stdout and stderr, in order; each of the engine's entries
   * (a line, or a piece of a long one) decoded on its own, as {@link #logsAfter} decodes them.
   */
  String logs(String containerId) throws InterruptedException {
    StringBuilder out = new StringBuilder();
    for (byte[] entry : entries(containerId, null).orElse(List.of())) {
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
    return entries(containerId, from.since()).map(from::read);
  }

  /**
   * The container's log entries with their times, from second {@code since} on (all when it is
   * null); empty when the container is gone.
   */
  private Optional<List<byte[]>> entries(String containerId, Integer since)
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
  private String outputDirectory(String containerId) {
    String[] env =
        LocalContainers.call(() -> docker.inspectContainerCmd(containerId).exec())
            .getConfig()
            .getEnv();
    String prefix = "BATCH_EXECUTOR_OUTPUT_DIR=";
    if (env != null) {
      for (String variable : env) {
        if (variable.startsWith(prefix)) {
          return variable.substring(prefix.length());
        }
      }
    }
    return LocalContainers.OUTPUT_DIR;
  }

  /** The files the runner left in its output directory. */
  Map<String, byte[]> outputs(String containerId) {
    Map<String, byte[]> files = new HashMap<>();
    String directory;
    try {
      directory = outputDirectory(containerId);
    } catch (NotFoundException e) {
      return files; // the container is gone
    }
    try (InputStream in =
            LocalContainers.call(
                () -> docker.copyArchiveFromContainerCmd(containerId, directory).exec());
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        if (entry.isFile()) {
          String name = entry.getName().substring(entry.getName().lastIndexOf('/') + 1);
          checkSize(name, entry.getSize()); // before it is read into memory
          ByteArrayOutputStream bytes = new ByteArrayOutputStream();
          tar.transferTo(bytes);
          files.put(name, bytes.toByteArray());
        }
      }
    } catch (NotFoundException e) {
      return files; // the runner wrote nothing
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the task's output from " + containerId, e);
    }
    return files;
  }
}
