package io.batchexecutor.backend.awsbatch;

import software.amazon.awssdk.services.batch.model.AssignPublicIp;
import software.amazon.awssdk.services.batch.model.ContainerProperties;
import software.amazon.awssdk.services.batch.model.EphemeralStorage;
import software.amazon.awssdk.services.batch.model.FargatePlatformConfiguration;
import software.amazon.awssdk.services.batch.model.NetworkConfiguration;

/**
 * What a job definition for Fargate carries besides an EC2 one: whether the task gets a public IP
 * (needed to pull from ECR in a public subnet without a NAT gateway or VPC endpoints), the Fargate
 * platform version, and the ephemeral storage in GiB (21-200; unset: Fargate's 20).
 */
record FargateOptions(boolean assignPublicIp, String platformVersion, Integer ephemeralStorageGib) {

  /** {@code container} with these options. */
  ContainerProperties applyTo(ContainerProperties container) {
    ContainerProperties.Builder b =
        container.toBuilder()
            .networkConfiguration(
                NetworkConfiguration.builder()
                    .assignPublicIp(
                        assignPublicIp ? AssignPublicIp.ENABLED : AssignPublicIp.DISABLED)
                    .build())
            .fargatePlatformConfiguration(
                FargatePlatformConfiguration.builder().platformVersion(platformVersion).build());
    if (ephemeralStorageGib != null) {
      b.ephemeralStorage(EphemeralStorage.builder().sizeInGiB(ephemeralStorageGib).build());
    }
    return b.build();
  }
}
