package io.batchexecutor.backend.awsbatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.HostConfig;
import io.batchexecutor.image.ImageBuilder;
import io.batchexecutor.image.Runner;
import io.batchexecutor.image.TaskImage;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.s3.S3MockServer;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.json.JsonMapper;

/**
 * The runner's own upload of the result to S3 — what a job on AWS Batch does — run for real in a
 * task container against S3Mock, with the environment the job definition and SubmitJob give it.
 */
class RunnerS3UploadIT {

  @Test
  void theRunnerWritesTheResultToTheS3PrefixItIsGiven() throws Exception {
    try (DockerClient docker = DockerAvailable.client()) {
      DockerAvailable.assume(docker);
      JsonMapper json = JsonMapper.builder().build();
      String image =
          new ImageBuilder(docker, java.time.Clock.systemUTC())
              .build(
                  TaskImage.of(
                      new TaskImage.Environment(DockerAvailable.BASE_IMAGE, List.of(), true),
                      new TaskImage.Payload(
                          "def task(x, y):\n    return x * y\n",
                          "task",
                          json.valueToTree(List.of(6, 7)),
                          json.createObjectNode()),
                      Runner.script(),
                      json))
              .reference();
      String bucket = "runner-upload";
      String prefix = "batch-executor/tester/" + UUID.randomUUID() + "/";
      try (S3Client s3 = s3()) {
        if (s3.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(bucket))) {
          s3.createBucket(b -> b.bucket(bucket));
        }
        String id =
            docker
                .createContainerCmd(image)
                .withEnv(
                    "BATCH_EXECUTOR_RESULT_S3_URI=s3://" + bucket + "/" + prefix,
                    "BATCH_EXECUTOR_S3_ENDPOINT=" + S3MockServer.get().endpoint(),
                    "AWS_ACCESS_KEY_ID=test",
                    "AWS_SECRET_ACCESS_KEY=test",
                    "AWS_DEFAULT_REGION=us-east-1")
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode("host"))
                .exec()
                .getId();
        try {
          docker.startContainerCmd(id).exec();
          int exit = docker.waitContainerCmd(id).start().awaitStatusCode();

          StringBuilder logs = new StringBuilder();
          docker
              .logContainerCmd(id)
              .withStdOut(true)
              .withStdErr(true)
              .exec(
                  new com.github.dockerjava.api.async.ResultCallback.Adapter<
                      com.github.dockerjava.api.model.Frame>() {
                    @Override
                    public void onNext(com.github.dockerjava.api.model.Frame f) {
                      logs.append(
                          new String(f.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
                    }
                  })
              .awaitCompletion();
          assertThat(exit).as(logs.toString()).isZero();
          String stored =
              s3.getObjectAsBytes(b -> b.bucket(bucket).key(prefix + "result.json")).asUtf8String();
          assertThat(json.readTree(stored).get("value").asInt()).isEqualTo(42);
        } finally {
          docker.removeContainerCmd(id).withForce(true).exec();
        }
      }
    }
  }

  /**
   * A task's files on AWS Batch: the upload staged beside the payload and an S3 object placed
   * before the function, the file it left written to its S3 target and kept beside the result.
   */
  @Test
  void theRunnerTransfersATasksFilesThroughS3() throws Exception {
    try (DockerClient docker = DockerAvailable.client()) {
      DockerAvailable.assume(docker);
      JsonMapper json = JsonMapper.builder().build();
      String image =
          new ImageBuilder(docker, java.time.Clock.systemUTC())
              .build(
                  TaskImage.environment(
                      new TaskImage.Environment(DockerAvailable.BASE_IMAGE, List.of(), true),
                      Runner.script(),
                      null,
                      json))
              .reference();
      String bucket = "runner-upload";
      String prefix = "batch-executor/tester/" + UUID.randomUUID() + "/";
      byte[] uploaded = "uploaded\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      String uploadId = io.batchexecutor.support.Sha256.hex(uploaded);
      String source =
          "def task():\n"
              + "    a = open('/tmp/in/a.txt').read()\n"
              + "    b = open('/tmp/in/b.txt').read()\n"
              + "    open('/tmp/out.txt', 'w').write(a + b)\n"
              + "    return len(a + b)\n";
      java.util.Map<String, Object> payload = new java.util.LinkedHashMap<>();
      payload.put("source", source);
      payload.put("function", "task");
      payload.put("args", List.of());
      payload.put("kwargs", java.util.Map.of());
      payload.put(
          "files",
          List.of(
              java.util.Map.of("path", "/tmp/in/a.txt", "upload", uploadId),
              java.util.Map.of("path", "/tmp/in/b.txt", "s3", "s3://" + bucket + "/data/b.txt"),
              java.util.Map.of("path", "/tmp/out.txt", "order", "after"),
              java.util.Map.of(
                  "path",
                  "/tmp/out.txt",
                  "order",
                  "after",
                  "s3",
                  "s3://" + bucket + "/" + prefix + "exported.txt")));
      try (S3Client s3 = s3()) {
        if (s3.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(bucket))) {
          s3.createBucket(b -> b.bucket(bucket));
        }
        s3.putObject(
            b -> b.bucket(bucket).key(prefix + "payload.json"),
            software.amazon.awssdk.core.sync.RequestBody.fromBytes(
                json.writeValueAsBytes(payload)));
        s3.putObject(
            b -> b.bucket(bucket).key(prefix + "uploads/" + uploadId),
            software.amazon.awssdk.core.sync.RequestBody.fromBytes(uploaded));
        s3.putObject(
            b -> b.bucket(bucket).key("data/b.txt"),
            software.amazon.awssdk.core.sync.RequestBody.fromString("from s3\n"));
        String id =
            docker
                .createContainerCmd(image)
                .withEnv(
                    "BATCH_EXECUTOR_PAYLOAD_S3_URI=s3://" + bucket + "/" + prefix + "payload.json",
                    "BATCH_EXECUTOR_RESULT_S3_URI=s3://" + bucket + "/" + prefix,
                    "BATCH_EXECUTOR_S3_ENDPOINT=" + S3MockServer.get().endpoint(),
                    "AWS_ACCESS_KEY_ID=test",
                    "AWS_SECRET_ACCESS_KEY=test",
                    "AWS_DEFAULT_REGION=us-east-1")
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode("host"))
                .exec()
                .getId();
        try {
          docker.startContainerCmd(id).exec();
          int exit = docker.waitContainerCmd(id).start().awaitStatusCode();

          String result =
              s3.getObjectAsBytes(b -> b.bucket(bucket).key(prefix + "result.json")).asUtf8String();
          assertThat(exit).as(result).isZero();
          assertThat(json.readTree(result).get("value").asInt()).isEqualTo(17);
          assertThat(
                  s3.getObjectAsBytes(b -> b.bucket(bucket).key(prefix + "file-2")).asUtf8String())
              .isEqualTo("uploaded\nfrom s3\n");
          assertThat(
                  s3.getObjectAsBytes(b -> b.bucket(bucket).key(prefix + "exported.txt"))
                      .asUtf8String())
              .isEqualTo("uploaded\nfrom s3\n");
        } finally {
          docker.removeContainerCmd(id).withForce(true).exec();
        }
      }
    }
  }

  private static S3Client s3() {
    return S3Client.builder()
        .endpointOverride(S3MockServer.get().endpoint())
        .forcePathStyle(true)
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
        .build();
  }
}
