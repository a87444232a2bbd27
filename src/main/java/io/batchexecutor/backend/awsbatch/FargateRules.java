package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.task.InvalidTaskException;
import io.batchexecutor.task.InvalidTaskException.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * At acceptance, what the task's queue's platform refuses: a profile whose queue is unusable
 * ({@link QueuePlatforms}) refuses its tasks with the reason; on Fargate, GPUs are refused, and so
 * are a vCPU value or memory the request gives that are not a Fargate size ({@link FargateSizes}),
 * naming the nearest valid size. Values that come from the defaults are not refused: the submit
 * step rounds them up to the smallest size that holds them ({@link #size}), saying so in the task's
 * events. On EC2, a requested fraction of a vCPU is refused (AWS Batch takes whole vCPUs there);
 * one from the defaults, or accepted while the queue's platform was not known, is rounded up at
 * submission ({@link #ec2Vcpu}).
 */
final class FargateRules {

  private final QueuePlatforms platforms;

  FargateRules(QueuePlatforms platforms) {
    this.platforms = platforms;
  }

  /**
   * The problems of {@code effective}, each naming its field under {@code executor.}; none when the
   * queue will run it ({@code requested}: what the request itself gives).
   */
  List<Violation> problems(TaskSettings requested, TaskSettings effective) {
    QueuePlatforms.Platform platform = platforms.of(effective.batchQueue());
    if (platform.kind() == QueuePlatforms.Platform.Kind.UNUSABLE) {
      return List.of(
          new Violation(
              "executor.execution_profile",
              "cannot run tasks now: " + platform.reason(),
              InvalidTaskException.PROFILE_UNUSABLE));
    }
    Double vcpu = requested == null ? null : requested.vcpu();
    if (!platform.fargate()) {
      if (platform.kind() == QueuePlatforms.Platform.Kind.EC2 && vcpu != null && !whole(vcpu)) {
        return List.of(
            new Violation(
                "executor.vcpu",
                "must be a whole number of vCPUs on EC2 (the queue "
                    + effective.batchQueue()
                    + " runs on EC2 instances, where AWS Batch takes no fraction of a vCPU), not "
                    + FargateSizes.vcpuText(vcpu)
                    + "; the nearest valid value is "
                    + FargateSizes.vcpuText(ec2Vcpu(vcpu)),
                InvalidTaskException.NOT_ON_PLATFORM));
      }
      return List.of();
    }
    List<Violation> problems = new ArrayList<>();
    String where = " on Fargate (the queue " + effective.batchQueue() + " runs on Fargate)";
    if (effective.numGpus() > 0) {
      problems.add(
          new Violation(
              "executor.num_gpus",
              "must be 0" + where + ": Fargate has no GPUs",
              InvalidTaskException.NOT_ON_PLATFORM));
    }
    long mib = effective.memoryMib();
    Double memory = requested == null ? null : requested.memory();
    if (vcpu != null && !FargateSizes.validVcpu(vcpu)) {
      problems.add(
          new Violation(
              "executor.vcpu",
              "must be one of "
                  + FargateSizes.vcpusText()
                  + where
                  + ", not "
                  + FargateSizes.vcpuText(vcpu)
                  + "; the nearest valid size is "
                  + FargateSizes.nearest(vcpu, mib),
              InvalidTaskException.NOT_ON_PLATFORM));
    } else if (vcpu != null && memory != null && !FargateSizes.valid(vcpu, mib)) {
      problems.add(
          new Violation(
              "executor.memory",
              "must be "
                  + FargateSizes.memoriesFor(vcpu)
                  + " with "
                  + FargateSizes.vcpuText(vcpu)
                  + " vCPU"
                  + where
                  + ", not "
                  + mib
                  + " MiB; the nearest valid size is "
                  + FargateSizes.nearest(vcpu, mib),
              InvalidTaskException.NOT_ON_PLATFORM));
    } else if (memory != null
        && FargateSizes.VCPUS.stream().noneMatch(v -> FargateSizes.valid(v, mib))) {
      problems.add(
          new Violation(
              "executor.memory",
              "is no Fargate memory size"
                  + where
                  + " ("
                  + mib
                  + " MiB); the nearest valid size is "
                  + FargateSizes.nearest(effective.vcpu(), mib),
              InvalidTaskException.NOT_ON_PLATFORM));
    } else if (size(effective).isEmpty()) {
      problems.add(
          new Violation(
              vcpu == null && memory == null ? "executor" : "executor.memory",
              "has no Fargate size that holds "
                  + FargateSizes.vcpuText(effective.vcpu())
                  + " vCPU with "
                  + mib
                  + " MiB"
                  + where
                  + "; the largest is 16 vCPU with 122880 MiB",
              InvalidTaskException.NOT_ON_PLATFORM));
    }
    return problems;
  }

  /** Whether {@code vcpu} is a whole number of vCPUs, what EC2 compute environments take. */
  static boolean whole(double vcpu) {
    return vcpu == Math.rint(vcpu);
  }

  /** The vCPUs a job with {@code vcpu} gets on EC2: whole ones, at least one. */
  static double ec2Vcpu(double vcpu) {
    return Math.max(1, Math.ceil(vcpu));
  }

  /** The Fargate size a task with {@code settings} runs at: the smallest that holds them. */
  static Optional<FargateSizes.Size> size(TaskSettings settings) {
    return FargateSizes.roundUp(settings.vcpu(), settings.memoryMib());
  }
}
