package io.batchexecutor.bench;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import io.batchexecutor.support.DockerAvailable;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Not a test: what reading a stopped task container's small output costs, the two ways the local
 * backend can: the engine's copy out of the container (an inspect for its output directory, then
 * the archive) against reading the container's volume where the engine keeps it on the host (the
 * container inspected once, which the backend has done already). Interleaved, {@code bench.runs}
 * (20) times each, on one container that wrote a {@code result.json}.
 *
 * <pre>./mvnw -B -q exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.batchexecutor.bench.OutputReadBenchmark</pre>
 */
public final class OutputReadBenchmark {

  private OutputReadBenchmark() {}

  public static void main(String[] args) throws Exception {
    int runs = Integer.getInteger("bench.runs", 20);
    try (DockerClient docker = DockerAvailable.client()) {
      String id =
          docker
              .createContainerCmd(DockerAvailable.BASE_IMAGE)
              .withHostConfig(
                  HostConfig.newHostConfig()
                      .withNetworkMode("none")
                      .withMounts(
                          List.of(
                              new Mount()
                                  .withType(MountType.VOLUME)
                                  .withTarget("/batch-executor-files"))))
              .withCmd(
                  "sh",
                  "-c",
                  "mkdir /batch-executor-files/out"
                      + " && echo '{\"ok\": true, \"value\": 3}' > /batch-executor-files/out/result.json")
              .exec()
              .getId();
      try {
        docker.startContainerCmd(id).exec();
        docker.waitContainerCmd(id).start().awaitStatusCode();
        List<Double> copied = new ArrayList<>();
        List<Double> onHost = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
          long from = System.nanoTime();
          docker.inspectContainerCmd(id).exec();
          try (InputStream in =
              docker.copyArchiveFromContainerCmd(id, "/batch-executor-files/out").exec()) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
          }
          copied.add((System.nanoTime() - from) / 1e6);

          InspectContainerResponse inspected = docker.inspectContainerCmd(id).exec();
          from = System.nanoTime();
          Path out = Path.of(inspected.getMounts().get(0).getSource(), "out");
          try (DirectoryStream<Path> files = Files.newDirectoryStream(out)) {
            for (Path file : files) {
              Files.readAllBytes(file);
            }
          }
          onHost.add((System.nanoTime() - from) / 1e6);
        }
        System.out.printf(
            Locale.ROOT,
            "a stopped container's output, %d times each, interleaved (median, max):%n"
                + "  inspect + the engine's copy out  %6.2f ms  %6.2f ms%n"
                + "  read on the host                 %6.2f ms  %6.2f ms%n",
            runs,
            median(copied),
            Collections.max(copied),
            median(onHost),
            Collections.max(onHost));
      } finally {
        docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
      }
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
