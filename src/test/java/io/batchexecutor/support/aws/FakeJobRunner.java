package io.batchexecutor.support.aws;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs a submitted job as Batch would, as containers on the local Docker engine: through SUBMITTED,
 * PENDING (its {@code dependsOn} awaited), RUNNABLE, STARTING and RUNNING to SUCCEEDED or FAILED,
 * with the definition's and the submit's environment, host networking, and credentials as a job
 * role would give them; an array job's children one after the other. The containers' output becomes
 * the job's log streams in {@link FakeLogs}.
 */
final class FakeJobRunner {

  private final DockerClient docker;
  private final Map<String, String> jobEnvironment;
  private final FakeLogs logs;
  private final Map<String, AtomicInteger> containerStarts = new ConcurrentHashMap<>();

  /** What a secret's valueFrom (a Secrets Manager or SSM ARN) holds, as ECS would read it. */
  final Map<String, String> secretValues = new ConcurrentHashMap<>();

  FakeJobRunner(DockerClient docker, Map<String, String> jobEnvironment, FakeLogs logs) {
    this.docker = docker;
    this.jobEnvironment = Map.copyOf(jobEnvironment);
    this.logs = logs;
  }

  DockerClient docker() {
    return docker;
  }

  /** How many containers were started for jobs named {@code jobName}. */
  int containerStarts(String jobName) {
    AtomicInteger n = containerStarts.get(jobName);
    return n == null ? 0 : n.get();
  }

  /**
   * Runs {@code job} to its end.
   *
   * @param jobs finds a job by id (for {@code dependsOn})
   * @param definition finds a job definition revision by ARN
   */
  void run(
      FakeBatchJob job,
      Function<String, FakeBatchJob> jobs,
      Function<String, ObjectNode> definition) {
    try {
      if (job.gate != null) {
        job.gate.await();
      }
      Thread.sleep(200);
      job.status = "PENDING";
      for (JsonNode dependency : job.request.path("dependsOn")) {
        FakeBatchJob upstream = jobs.apply(dependency.path("jobId").asString());
        while (upstream != null && !"SUCCEEDED".equals(upstream.status)) {
          if ("FAILED".equals(upstream.status) || job.terminated) {
            job.statusReason = "Dependent Job failed";
            job.status = "FAILED";
            return;
          }
          Thread.sleep(100);
        }
      }
      synchronized (job) {
        if (job.terminated) {
          job.status = "FAILED";
          return;
        }
        job.status = "RUNNABLE";
      }
      ObjectNode revision = definition.apply(job.request.path("jobDefinition").asString());
      List<String> environment = new ArrayList<>();
      jobEnvironment.forEach((k, v) -> environment.add(k + "=" + v));
      environment.add("AWS_BATCH_JOB_ID=" + job.id);
      environment.add("AWS_BATCH_JOB_ATTEMPT=1");
      revision
          .path("containerProperties")
          .path("environment")
          .forEach(
              e -> environment.add(e.path("name").asString() + "=" + e.path("value").asString()));
      job.request
          .path("containerOverrides")
          .path("environment")
          .forEach(
              e -> environment.add(e.path("name").asString() + "=" + e.path("value").asString()));
      for (JsonNode secret : revision.path("containerProperties").path("secrets")) {
        String value = secretValues.get(secret.path("valueFrom").asString());
        if (value == null) {
          // as ECS: the container does not start when a secret cannot be read
          job.statusReason =
              "ResourceInitializationError: unable to pull secrets or registry auth: "
                  + secret.path("valueFrom").asString();
          job.status = "FAILED";
          return;
        }
        environment.add(secret.path("name").asString() + "=" + value);
      }
      String image = revision.path("containerProperties").path("image").asString();
      int size = Math.max(1, job.request.path("arrayProperties").path("size").asInt(1));
      int failed = 0;
      synchronized (job) {
        if (job.terminated) {
          job.status = "FAILED";
          return;
        }
        job.status = "STARTING";
        job.startedAt = System.currentTimeMillis();
        if (size == 1) {
          job.logStream = "batch-executor/default/" + job.id;
        }
      }
      for (int index = 0; index < size && !job.terminated; index++) {
        List<String> childEnvironment = new ArrayList<>(environment);
        String stream = job.logStream;
        if (size > 1) {
          // like Batch: each child of an array job is a job of its own, with its own stream
          childEnvironment.add("AWS_BATCH_JOB_ARRAY_INDEX=" + index);
          stream = "batch-executor/default/" + job.id + "-" + index;
          ObjectNode child =
              AwsAnswer.JSON
                  .createObjectNode()
                  .put("jobId", job.id + ":" + index)
                  .put("status", "RUNNING");
          child.putObject("container").put("logStreamName", stream);
          job.children.put(Integer.toString(index), child);
        }
        int exit = runContainer(job, image, childEnvironment, stream);
        job.exitCode = exit;
        if (exit != 0) {
          failed++;
        }
        if (size > 1) {
          ObjectNode child =
              AwsAnswer.JSON
                  .createObjectNode()
                  .put("jobId", job.id + ":" + index)
                  .put("status", exit == 0 ? "SUCCEEDED" : "FAILED");
          child.putObject("container").put("logStreamName", stream).put("exitCode", exit);
          job.children.put(Integer.toString(index), child);
        }
      }
      synchronized (job) {
        job.stoppedAt = System.currentTimeMillis();
        job.summary = size > 1 ? Map.of("SUCCEEDED", size - failed, "FAILED", failed) : null;
        job.status = job.terminated || failed > 0 ? "FAILED" : "SUCCEEDED";
        job.statusReason = "Essential container in task exited";
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      job.statusReason = "the fake could not run the job: " + e.getMessage();
      job.status = "FAILED";
    }
  }

  /**
   * Like Batch, takes the image from the registry: the engine may not hold it under this name, for
   * instance when the service found the tag already in the repository and pushed nothing.
   */
  private void pullIfMissing(String image) throws InterruptedException {
    try {
      docker.inspectImageCmd(image).exec();
      return;
    } catch (NotFoundException absent) {
      // pulled below
    }
    int colon = image.lastIndexOf(':');
    docker
        .pullImageCmd(image.substring(0, colon))
        .withTag(image.substring(colon + 1))
        .exec(new PullImageResultCallback())
        .awaitCompletion(2, TimeUnit.MINUTES);
    docker.inspectImageCmd(image).exec();
  }

  private int runContainer(FakeBatchJob job, String image, List<String> environment, String stream)
      throws InterruptedException {
    pullIfMissing(image);
    String containerId;
    synchronized (job) {
      containerId =
          docker
              .createContainerCmd(image)
              .withEnv(environment)
              .withLabels(Map.of("batch-executor-fake-batch-job", job.id))
              .withHostConfig(HostConfig.newHostConfig().withNetworkMode("host"))
              .exec()
              .getId();
      job.containerId = containerId;
      docker.startContainerCmd(containerId).exec();
      containerStarts.computeIfAbsent(job.name(), n -> new AtomicInteger()).incrementAndGet();
      job.status = "RUNNING";
    }
    int exit =
        docker
            .waitContainerCmd(containerId)
            .exec(new WaitContainerResultCallback())
            .awaitStatusCode();
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    docker
        .logContainerCmd(containerId)
        .withStdOut(true)
        .withStdErr(true)
        .exec(
            new ResultCallback.Adapter<Frame>() {
              @Override
              public void onNext(Frame frame) {
                lines.add(new String(frame.getPayload(), StandardCharsets.UTF_8));
              }
            })
        .awaitCompletion(30, TimeUnit.SECONDS);
    logs.append(stream, lines);
    docker.removeContainerCmd(containerId).withForce(true).exec();
    synchronized (job) {
      job.containerId = null;
    }
    return exit;
  }
}
