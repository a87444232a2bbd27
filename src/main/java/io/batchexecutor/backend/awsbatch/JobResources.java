package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.task.Task;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import software.amazon.awssdk.services.batch.model.ResourceRequirement;

/**
 * The resources a task's job is submitted with, as SubmitJob's container overrides, for the
 * platform of its queue: Fargate's sizes, EC2's whole vCPUs.
 *
 * @param overrides the container overrides' resource requirements
 * @param rounded how they differ from the task's settings, said in its events once the job is
 *     submitted ({@link #said}); null when they do not
 */
record JobResources(List<ResourceRequirement> overrides, BiConsumer<Task, Instant> rounded) {

  /**
   * Says in the task's events how its job's resources differ from its settings, if they do: only
   * once the job is submitted, so that a SubmitJob refused or tried again says nothing (and a task
   * sent back says it once, when its job is submitted at last).
   */
  void said(Task task, Instant now) {
    if (rounded != null) {
      rounded.accept(task, now);
    }
  }

  /**
   * The task's resources as container overrides; on a Fargate queue the smallest Fargate size that
   * holds them (what the request gave was checked at acceptance, so only defaults are rounded up).
   */
  static JobResources of(Task task, QueuePlatforms platforms, String queue) {
    TaskSettings s = task.settings();
    if (platforms == null || !platforms.of(queue).fargate()) {
      if (FargateRules.whole(s.vcpu())) {
        return new JobResources(JobDefinitions.resourceOverrides(s), null);
      }
      double vcpu = FargateRules.ec2Vcpu(s.vcpu());
      return new JobResources(
          JobDefinitions.resourceOverrides(vcpu, s.memoryMib(), s.numGpus()),
          (t, now) ->
              t.vcpuRounded(
                  "runs with "
                      + FargateSizes.vcpuText(vcpu)
                      + " vCPU: AWS Batch takes whole vCPUs on EC2, not "
                      + FargateSizes.vcpuText(s.vcpu()),
                  Map.of("vcpu", vcpu),
                  now));
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
    List<ResourceRequirement> overrides =
        JobDefinitions.resourceOverrides(size.vcpu(), size.memoryMib(), 0);
    if (size.vcpu() == s.vcpu() && size.memoryMib() == s.memoryMib()) {
      return new JobResources(overrides, null);
    }
    return new JobResources(
        overrides,
        (t, now) ->
            t.sizedUp(
                "runs as "
                    + size
                    + " on Fargate: the smallest Fargate size that holds "
                    + FargateSizes.vcpuText(s.vcpu())
                    + " vCPU with "
                    + s.memoryMib()
                    + " MiB",
                Map.of("vcpu", size.vcpu(), "memory_mib", size.memoryMib()),
                now));
  }
}
