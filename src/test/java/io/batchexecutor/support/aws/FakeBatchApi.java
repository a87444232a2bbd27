package io.batchexecutor.support.aws;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * AWS Batch (REST JSON): job queues, job definitions with revisions, and jobs, which {@link
 * FakeJobRunner} runs.
 */
final class FakeBatchApi {

  private final FakeJobRunner runner;
  private final Executor threads;
  private final Map<String, List<ObjectNode>> definitions = new ConcurrentHashMap<>();
  private final Map<String, FakeBatchJob> jobs = new ConcurrentHashMap<>();
  private final List<String> submittedNames = new CopyOnWriteArrayList<>();
  private volatile CountDownLatch nextJobGate;
  private final java.util.Set<String> fargateQueues = ConcurrentHashMap.newKeySet();

  FakeBatchApi(FakeJobRunner runner, Executor threads) {
    this.runner = runner;
    this.threads = threads;
  }

  static String arn(String resource) {
    return "arn:aws:batch:"
        + FakeAwsEndpoint.REGION
        + ":"
        + FakeAwsEndpoint.ACCOUNT
        + ":"
        + resource;
  }

  /** The operation a REST path names; the path itself when it names none. */
  static String operation(String path) {
    return switch (path) {
      case "/v1/describejobqueues" -> "DescribeJobQueues";
      case "/v1/describecomputeenvironments" -> "DescribeComputeEnvironments";
      case "/v1/describejobdefinitions" -> "DescribeJobDefinitions";
      case "/v1/registerjobdefinition" -> "RegisterJobDefinition";
      case "/v1/deregisterjobdefinition" -> "DeregisterJobDefinition";
      case "/v1/submitjob" -> "SubmitJob";
      case "/v1/listjobs" -> "ListJobs";
      case "/v1/describejobs" -> "DescribeJobs";
      case "/v1/terminatejob" -> "TerminateJob";
      default -> path;
    };
  }

  // ---- what a test controls and reads ---------------------------------------------------------

  /** Makes {@code queue}'s compute environment a Fargate one (every queue is EC2 otherwise). */
  void fargateQueue(String queue) {
    fargateQueues.add(queue);
  }

  CountDownLatch gateNextJob() {
    CountDownLatch gate = new CountDownLatch(1);
    nextJobGate = gate;
    return gate;
  }

  void openGate() {
    CountDownLatch gate = nextJobGate;
    if (gate != null) {
      gate.countDown();
    }
  }

  FakeBatchJob job(String id) {
    return jobs.get(id);
  }

  int definitionsRegistered() {
    return definitions.values().stream().mapToInt(List::size).sum();
  }

  List<JsonNode> definitions(String name) {
    return List.copyOf(definitions.getOrDefault(name, List.of()));
  }

  long submissions(String jobName) {
    return submittedNames.stream().filter(jobName::equals).count();
  }

  List<JsonNode> submitted() {
    return jobs.values().stream().map(j -> (JsonNode) j.request).toList();
  }

  // ---- the API --------------------------------------------------------------------------------

  AwsAnswer answer(String operation, JsonNode request) {
    String type = AwsAnswer.REST_JSON;
    return switch (operation) {
      case "DescribeJobQueues" -> {
        ObjectNode answer = AwsAnswer.JSON.createObjectNode();
        ArrayNode queues = answer.putArray("jobQueues");
        request
            .path("jobQueues")
            .forEach(
                q ->
                    queues
                        .addObject()
                        .put("jobQueueName", q.asString())
                        .put("jobQueueArn", arn("job-queue/" + q.asString()))
                        .put("state", "ENABLED")
                        .put("status", "VALID")
                        .put("priority", 1)
                        .putArray("computeEnvironmentOrder")
                        .addObject()
                        .put("order", 1)
                        .put("computeEnvironment", arn("compute-environment/ce-" + q.asString())));
        yield AwsAnswer.ok(answer, type);
      }
      case "DescribeComputeEnvironments" -> {
        ObjectNode answer = AwsAnswer.JSON.createObjectNode();
        ArrayNode environments = answer.putArray("computeEnvironments");
        for (JsonNode ce : request.path("computeEnvironments")) {
          String name = ce.asString().substring(ce.asString().lastIndexOf('/') + 1);
          String queue = name.substring("ce-".length());
          ObjectNode detail =
              environments
                  .addObject()
                  .put("computeEnvironmentName", name)
                  .put("computeEnvironmentArn", ce.asString())
                  .put("type", "MANAGED")
                  .put("state", "ENABLED")
                  .put("status", "VALID");
          detail
              .putObject("computeResources")
              .put("type", fargateQueues.contains(queue) ? "FARGATE" : "EC2");
        }
        yield AwsAnswer.ok(answer, type);
      }
      case "DescribeJobDefinitions" -> {
        String name = request.path("jobDefinitionName").asString();
        ObjectNode answer = AwsAnswer.JSON.createObjectNode();
        ArrayNode found = answer.putArray("jobDefinitions");
        definitions.getOrDefault(name, List.of()).forEach(found::add);
        yield AwsAnswer.ok(answer, type);
      }
      case "RegisterJobDefinition" -> {
        String refused = FakeBatchRules.registerRefusal(request);
        if (refused != null) {
          yield AwsAnswer.clientException(refused);
        }
        String name = request.path("jobDefinitionName").asString();
        List<ObjectNode> revisions =
            definitions.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>());
        ObjectNode definition;
        synchronized (revisions) {
          int revision = revisions.size() + 1;
          definition = ((ObjectNode) request).deepCopy();
          definition
              .put("jobDefinitionArn", arn("job-definition/" + name + ":" + revision))
              .put("revision", revision)
              .put("status", "ACTIVE");
          revisions.add(definition);
        }
        yield AwsAnswer.ok(
            AwsAnswer.JSON
                .createObjectNode()
                .put("jobDefinitionName", name)
                .put("jobDefinitionArn", definition.path("jobDefinitionArn").asString())
                .put("revision", definition.path("revision").asInt()),
            type);
      }
      case "SubmitJob" -> {
        String refused =
            FakeBatchRules.submitRefusal(
                request,
                definitionOrNull(request.path("jobDefinition").asString()),
                fargateQueues.contains(request.path("jobQueue").asString()));
        if (refused != null) {
          yield AwsAnswer.clientException(refused);
        }
        FakeBatchJob job =
            new FakeBatchJob(UUID.randomUUID().toString(), (ObjectNode) request, nextJobGate);
        nextJobGate = null;
        jobs.put(job.id, job);
        submittedNames.add(job.name());
        threads.execute(() -> runner.run(job, jobs::get, this::definition));
        yield AwsAnswer.ok(
            AwsAnswer.JSON
                .createObjectNode()
                .put("jobId", job.id)
                .put("jobName", job.name())
                .put("jobArn", arn("job/" + job.id)),
            type);
      }
      case "ListJobs" -> {
        String name = "";
        for (JsonNode filter : request.path("filters")) {
          if ("JOB_NAME".equals(filter.path("name").asString())) {
            name = filter.path("values").path(0).asString();
          }
        }
        ObjectNode answer = AwsAnswer.JSON.createObjectNode();
        ArrayNode summaries = answer.putArray("jobSummaryList");
        for (FakeBatchJob job : jobs.values()) {
          if (job.name().equals(name)) {
            summaries
                .addObject()
                .put("jobId", job.id)
                .put("jobName", job.name())
                .put("createdAt", job.createdAt)
                .put("status", job.status);
          }
        }
        yield AwsAnswer.ok(answer, type);
      }
      case "DescribeJobs" -> {
        ObjectNode answer = AwsAnswer.JSON.createObjectNode();
        ArrayNode details = answer.putArray("jobs");
        request
            .path("jobs")
            .forEach(
                id -> {
                  String[] parentAndIndex = id.asString().split(":", 2);
                  FakeBatchJob job = jobs.get(parentAndIndex[0]);
                  if (job != null && parentAndIndex.length == 1) {
                    details.add(job.detail());
                  } else if (job != null && job.children.containsKey(parentAndIndex[1])) {
                    details.add(job.children.get(parentAndIndex[1]));
                  }
                });
        yield AwsAnswer.ok(answer, type);
      }
      case "TerminateJob" -> {
        FakeBatchJob job = jobs.get(request.path("jobId").asString());
        if (job != null) {
          job.terminate("Terminated: " + request.path("reason").asString(), runner.docker());
        }
        yield AwsAnswer.ok(AwsAnswer.JSON.createObjectNode(), type);
      }
      default ->
          AwsAnswer.error(404, "ClientException", "the fake does not speak " + operation, type);
    };
  }

  private ObjectNode definitionOrNull(String arn) {
    try {
      return definition(arn);
    } catch (IllegalStateException e) {
      return null;
    }
  }

  private ObjectNode definition(String arn) {
    for (List<ObjectNode> revisions : definitions.values()) {
      for (ObjectNode d : revisions) {
        if (d.path("jobDefinitionArn").asString().equals(arn)) {
          return d;
        }
      }
    }
    throw new IllegalStateException("no job definition " + arn);
  }
}
