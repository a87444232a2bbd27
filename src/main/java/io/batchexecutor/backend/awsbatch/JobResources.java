package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.task.Task;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.batch.model.ResourceRequirement;

/**
 * The resources a task's job is submitted with, as SubmitJob's container overrides, for the
 * platform of its queue: Fargate's sizes, EC2's whole vCPUs.
 */
final class JobResources {

  private JobResources() {}

  /**
   * The task's resources as container overrides; on a Fargate queue the smallest Fargate size that
   * holds them (what the request gave was checked at acceptance, so only defaults are rounded up),
   * said in the task's events when it differs.
   */
  static List<ResourceRequirement> of(
      Task task, QueuePlatforms platforms, String queue, Instant now) {
    TaskSettings s = task.settings();
    if (platforms == null || !platforms.of(queue).fargate()) {
      if (FargateRules.whole(s.vcpu())) {
        return JobDefinitions.resourceOverrides(s);
      }
      double vcpu = FargateRules.ec2Vcpu(s.vcpu());
      task.vcpuRounded(
          "runs with "
              + FargateSizes.vcpuText(vcpu)
              + " vCPU: AWS Batch takes whole vCPUs on EC2, not "
              + FargateSizes.vcpuText(s.vcpu()),
          Map.of("vcpu", vcpu),
          now);
      return JobDefinitions.resourceOverrides(vcpu, s.memoryMib(), s.numGpus());
    }
    FargateSizes.Size size =
        FargateRules.size(s)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "no Fargate size holds "
                            + s.vcpu()
                            + " vCPU with "
                            + s.memoryMib()
                            + " MiB"));
    if (size.vcpu() != s.vcpu() || size.memoryMib() != s.memoryMib()) {
      task.sizedUp(
          "runs as "
              + size
              + " on Fargate: the smallest Fargate size that holds "
              + FargateSizes.vcpuText(s.vcpu())
              + " vCPU with "
              + s.memoryMib()
              + " MiB",
          Map.of("vcpu", size.vcpu(), "memory_mib", size.memoryMib()),
          now);
    }
    return JobDefinitions.resourceOverrides(size.vcpu(), size.memoryMib(), 0);
  }
}
