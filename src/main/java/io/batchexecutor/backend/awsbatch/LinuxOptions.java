package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.config.TenancyProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.batch.model.ContainerProperties;
import software.amazon.awssdk.services.batch.model.EFSTransitEncryption;
import software.amazon.awssdk.services.batch.model.EFSVolumeConfiguration;
import software.amazon.awssdk.services.batch.model.LinuxParameters;
import software.amazon.awssdk.services.batch.model.MountPoint;
import software.amazon.awssdk.services.batch.model.Tmpfs;
import software.amazon.awssdk.services.batch.model.Ulimit;
import software.amazon.awssdk.services.batch.model.Volume;

/**
 * An execution profile's Linux options, as its job definitions carry them: {@code
 * linuxParameters.sharedMemorySize}, {@code tmpfs} and {@code ulimits} (EC2 only: AWS Batch does
 * not run them on Fargate), and EFS {@code volumes} with their {@code mountPoints} (both
 * platforms). They are part of the definition and so of its fingerprint: one revision per
 * environment and profile options.
 */
record LinuxOptions(
    Integer sharedMemoryMib, List<Tmpfs> tmpfs, List<Ulimit> ulimits, List<Efs> efs) {

  /** One EFS volume. */
  record Efs(String fileSystemId, String containerPath, boolean readOnly) {}

  static final LinuxOptions NONE = new LinuxOptions(null, List.of(), List.of(), List.of());

  private static final Set<String> ULIMITS =
      Set.of(
          "core",
          "cpu",
          "data",
          "fsize",
          "locks",
          "memlock",
          "msgqueue",
          "nice",
          "nofile",
          "nproc",
          "rss",
          "rtprio",
          "rttime",
          "sigpending",
          "stack");
  private static final Pattern TMPFS = Pattern.compile("^(/[^:\\s]*):([1-9][0-9]{0,8})$");
  private static final Pattern ULIMIT = Pattern.compile("^([a-z]+)=([0-9]{1,10}):([0-9]{1,10})$");
  private static final Pattern EFS = Pattern.compile("^(fs-[0-9a-f]{8,40}):(/[^:\\s]*)(:ro)?$");

  /** Whether any option is set that Fargate does not run (linuxParameters). */
  boolean hasLinuxParameters() {
    return sharedMemoryMib != null || !tmpfs.isEmpty() || !ulimits.isEmpty();
  }

  /** {@code container} with these options; linuxParameters only when not on Fargate. */
  ContainerProperties applyTo(ContainerProperties container, boolean fargate) {
    ContainerProperties.Builder b = container.toBuilder();
    if (!fargate && hasLinuxParameters()) {
      b.linuxParameters(
          LinuxParameters.builder()
              .sharedMemorySize(sharedMemoryMib)
              .tmpfs(tmpfs.isEmpty() ? null : tmpfs)
              .build());
      if (!ulimits.isEmpty()) {
        b.ulimits(ulimits);
      }
    }
    if (!efs.isEmpty()) {
      List<Volume> volumes = new ArrayList<>();
      List<MountPoint> mounts = new ArrayList<>();
      for (int i = 0; i < efs.size(); i++) {
        Efs e = efs.get(i);
        String name = "efs-" + i;
        volumes.add(
            Volume.builder()
                .name(name)
                .efsVolumeConfiguration(
                    EFSVolumeConfiguration.builder()
                        .fileSystemId(e.fileSystemId())
                        .transitEncryption(EFSTransitEncryption.ENABLED)
                        .build())
                .build());
        mounts.add(
            MountPoint.builder()
                .sourceVolume(name)
                .containerPath(e.containerPath())
                .readOnly(e.readOnly())
                .build());
      }
      b.volumes(volumes).mountPoints(mounts);
    }
    return b.build();
  }

  /**
   * Each execution profile's options, checked: a value AWS would refuse stops the service, naming
   * the setting.
   */
  static Map<String, LinuxOptions> of(TenancyProperties tenancy) {
    Map<String, LinuxOptions> byProfile = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    tenancy
        .executionProfiles()
        .forEach(
            (name, profile) ->
                byProfile.put(
                    name,
                    parse(
                        "batch-executor.execution-profiles." + name + ".awsbatch.linux",
                        profile.awsbatch().linux(),
                        problems)));
    if (!problems.isEmpty()) {
      throw new IllegalStateException("Invalid Linux options: " + String.join("; ", problems));
    }
    return byProfile;
  }

  static LinuxOptions parse(String at, TenancyProperties.Linux linux, List<String> problems) {
    List<Tmpfs> tmpfs = new ArrayList<>();
    for (int i = 0; i < linux.tmpfs().size(); i++) {
      Matcher m = TMPFS.matcher(linux.tmpfs().get(i));
      if (m.matches()) {
        tmpfs.add(
            Tmpfs.builder().containerPath(m.group(1)).size(Integer.parseInt(m.group(2))).build());
      } else {
        problems.add(at + ".tmpfs[" + i + "] must be container-path:size-in-MiB (/scratch:2048)");
      }
    }
    List<Ulimit> ulimits = new ArrayList<>();
    for (int i = 0; i < linux.ulimits().size(); i++) {
      Matcher m = ULIMIT.matcher(linux.ulimits().get(i));
      if (m.matches() && ULIMITS.contains(m.group(1))) {
        long soft = Long.parseLong(m.group(2));
        long hard = Long.parseLong(m.group(3));
        if (soft > hard || hard > Integer.MAX_VALUE) {
          problems.add(at + ".ulimits[" + i + "]: soft must be at most hard, both below 2^31");
        } else {
          ulimits.add(
              Ulimit.builder()
                  .name(m.group(1))
                  .softLimit((int) soft)
                  .hardLimit((int) hard)
                  .build());
        }
      } else {
        problems.add(
            at
                + ".ulimits["
                + i
                + "] must be name=soft:hard (nofile=65536:65536), name one of "
                + String.join(", ", ULIMITS.stream().sorted().toList()));
      }
    }
    List<Efs> efs = new ArrayList<>();
    for (int i = 0; i < linux.efs().size(); i++) {
      Matcher m = EFS.matcher(linux.efs().get(i));
      if (m.matches()) {
        efs.add(new Efs(m.group(1), m.group(2), m.group(3) != null));
      } else {
        problems.add(
            at + ".efs[" + i + "] must be file-system-id:container-path[:ro] (fs-0123abcd:/data)");
      }
    }
    return new LinuxOptions(
        linux.sharedMemory(), List.copyOf(tmpfs), List.copyOf(ulimits), List.copyOf(efs));
  }
}
