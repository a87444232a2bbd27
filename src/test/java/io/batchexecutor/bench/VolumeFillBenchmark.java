package io.batchexecutor.bench;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import io.batchexecutor.support.DockerAvailable;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Not a test: what putting the empty output directory into a created task container's own volume
 * costs before its start, the two ways the local backend can: the engine's copy of a tar into the
 * container, against an inspect for the volume's directory on the host and a directory made there
 * (owned by the task's user); then the engine's start of the container. Interleaved, {@code
 * bench.runs} (20) times each, each on a new confined container that runs {@code python3 -c
 * 'print(1)'}, waited for and removed before the next.
 *
 * <pre>./mvnw -B -q exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.batchexecutor.bench.VolumeFillBenchmark</pre>
 */
public final class VolumeFillBenchmark {

  private static final String FILES = "/batch-executor-files";

  private VolumeFillBenchmark() {}

  public static void main(String[] args) throws Exception {
    int runs = Integer.getInteger("bench.runs", 20);
    byte[] tar = outputDirectoryTar();
    try (DockerClient docker = DockerAvailable.client()) {
      List<Double> copied = new ArrayList<>();
      List<Double> copiedStart = new ArrayList<>();
      List<Double> onHost = new ArrayList<>();
      List<Double> onHostStart = new ArrayList<>();
      for (int i = 0; i < runs; i++) {
        for (boolean host : new boolean[] {false, true}) {
          String id = created(docker);
          try {
            long from = System.nanoTime();
            if (host) {
              String source = docker.inspectContainerCmd(id).exec().getMounts().get(0).getSource();
              Path out = Files.createDirectory(Path.of(source, "out"));
              Files.setAttribute(out, "unix:uid", 10001, LinkOption.NOFOLLOW_LINKS);
              Files.setAttribute(out, "unix:gid", 10001, LinkOption.NOFOLLOW_LINKS);
            } else {
              docker
                  .copyArchiveToContainerCmd(id)
                  .withTarInputStream(new ByteArrayInputStream(tar))
                  .withRemotePath(FILES)
                  .exec();
            }
            long filled = System.nanoTime();
            docker.startContainerCmd(id).exec();
            long started = System.nanoTime();
            (host ? onHost : copied).add((filled - from) / 1e6);
            (host ? onHostStart : copiedStart).add((started - from) / 1e6);
            docker.waitContainerCmd(id).start().awaitStatusCode();
          } finally {
            docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
          }
          Thread.sleep(300);
        }
      }
      System.out.printf(
          Locale.ROOT,
          "the output directory put into a created container's volume, %d times each,"
              + " interleaved (median, max):%n"
              + "  the engine's copy of a tar           %7.2f ms  %7.2f ms%n"
              + "  inspect + made on the host           %7.2f ms  %7.2f ms%n"
              + "  the engine's copy, then its start    %7.2f ms  %7.2f ms%n"
              + "  made on the host, then its start     %7.2f ms  %7.2f ms%n",
          runs,
          median(copied),
          Collections.max(copied),
          median(onHost),
          Collections.max(onHost),
          median(copiedStart),
          Collections.max(copiedStart),
          median(onHostStart),
          Collections.max(onHostStart));
    }
  }

  /** A container confined as the service's task containers are, with a volume of its own. */
  private static String created(DockerClient docker) {
    return docker
        .createContainerCmd(DockerAvailable.BASE_IMAGE)
        .withUser("10001:10001")
        .withHostConfig(
            HostConfig.newHostConfig()
                .withNetworkMode("none")
                .withCapDrop(Capability.ALL)
                .withReadonlyRootfs(true)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withMounts(List.of(new Mount().withType(MountType.VOLUME).withTarget(FILES))))
        .withCmd("python3", "-c", "print(1)")
        .exec()
        .getId();
  }

  private static byte[] outputDirectoryTar() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      TarArchiveEntry entry = new TarArchiveEntry("out/");
      entry.setMode(040755);
      entry.setUserId(10001);
      entry.setGroupId(10001);
      tar.putArchiveEntry(entry);
      tar.closeArchiveEntry();
    }
    return out.toByteArray();
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
