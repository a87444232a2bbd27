package io.batchexecutor.backend.awsbatch;

import software.amazon.awssdk.services.batch.BatchClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The AWS clients the backend's steps and poller call, and the throttling they share (made by
 * {@link AwsClientsConfiguration}).
 */
record AwsBatchClients(
    BatchClient batch,
    BatchClient createOnce,
    EcrClient ecr,
    StsClient sts,
    CloudWatchLogsClient logs,
    Throttling throttling) {}
