package io.batchexecutor.support.aws;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A small AWS-compatible endpoint on 127.0.0.1 for the whole AWS Batch flow, spoken to through the
 * real AWS SDK wire protocols: STS (query and JSON), ECR and CloudWatch Logs (JSON 1.1), AWS Batch
 * (REST JSON) and S3 (passed on to an S3-compatible server). ECR hands out a real loopback
 * registry; Batch runs each submitted job as a container on the local Docker engine, with the job
 * definition's and the submit's environment, host networking, and credentials as a job role would
 * give them; the container's output becomes the job's log stream.
 *
 * <p>A test can hold the answer to the next call of an operation ({@link #holdNext}) and keep the
 * next submitted job in SUBMITTED ({@link #gateNextJob}), to catch the service in a given state.
 * Every call and every container start is counted.
 */
public final class FakeAwsEndpoint implements AutoCloseable {

  public static final String ACCOUNT = "123456789012";
  static final String REGION = "us-east-1";
  static final Set<String> SKIPPED_HEADERS =
      Set.of("host", "content-length", "connection", "expect", "transfer-encoding", "upgrade");

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool(daemon("fake-aws"));
  private final JsonMapper json = JsonMapper.builder().build();
  private final HttpClient http = HttpClient.newHttpClient();
  private final URI s3;
  private final String registry;
  private final DockerClient docker;
  private final Map<String, String> jobEnvironment;

  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final List<String> objectsWritten = new CopyOnWriteArrayList<>();
  private final Map<String, Hold> holds = new ConcurrentHashMap<>();
  private final Map<String, Hold> holding = new ConcurrentHashMap<>();
  private final java.util.Set<String> failing = ConcurrentHashMap.newKeySet();
  private volatile CountDownLatch nextJobGate;
  private final Map<String, List<ObjectNode>> definitions = new ConcurrentHashMap<>();
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private final List<String> submittedNames = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> containerStarts = new ConcurrentHashMap<>();
  private final Map<String, List<String>> logStreams = new ConcurrentHashMap<>();

  /**
   * @param s3 the S3-compatible server that S3 calls are passed on to
   * @param registry the OCI registry ECR stands for, as {@code host:port}
   * @param docker the engine that runs the jobs
   * @param jobEnvironment what every job's container gets besides its own environment (the
   *     credentials a job role would give)
   */
  public FakeAwsEndpoint(
      URI s3, String registry, DockerClient docker, Map<String, String> jobEnvironment)
      throws IOException {
    this.s3 = s3;
    this.registry = registry;
    this.docker = docker;
    this.jobEnvironment = Map.copyOf(jobEnvironment);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  /**
   * The endpoint as most tests use it: S3 passed on to the tests' S3Mock, the loopback registry as
   * ECR, jobs on the tests' engine, and the dummy keys the build gives the tests as the job role's.
   */
  public static FakeAwsEndpoint forTests() throws IOException {
    return new FakeAwsEndpoint(
        io.batchexecutor.support.s3.S3MockServer.get().endpoint(),
        io.batchexecutor.support.TestRegistry.ADDRESS,
        io.batchexecutor.support.DockerAvailable.client(),
        Map.of(
            "AWS_ACCESS_KEY_ID", "test",
            "AWS_SECRET_ACCESS_KEY", "test",
            "AWS_DEFAULT_REGION", "us-east-1"));
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  // ---- what a test controls and reads ---------------------------------------------------------

  /** A call being held: it was answered here, but the answer goes out only on {@link #release}. */
  public static final class Hold {
    private final CountDownLatch arrived = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private Answer answer;

    private synchronized Answer answerOnce(java.util.function.Supplier<Answer> make) {
      if (answer == null) {
        answer = make.get();
      }
      return answer;
    }

    /** Waits until the held call has come in. */
    public void awaitArrival(Duration timeout) throws InterruptedException {
      if (!arrived.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("the held call did not come within " + timeout);
      }
    }

    public void release() {
      released.countDown();
    }
  }

  /** Holds the answer to the next call of {@code operation} (e.g. {@code SubmitJob}). */
  public Hold holdNext(String operation) {
    Hold hold = new Hold();
    holds.put(operation, hold);
    return hold;
  }

  /** Keeps the next submitted job in SUBMITTED until the returned latch is counted down. */
  public CountDownLatch gateNextJob() {
    CountDownLatch gate = new CountDownLatch(1);
    nextJobGate = gate;
    return gate;
  }

  /**
   * Answers every call of {@code operation} with {@code 503 Service Unavailable} until the returned
   * handle is closed.
   */
  public AutoCloseable failEvery(String operation) {
    failing.add(operation);
    return () -> failing.remove(operation);
  }

  /** Every operation called, in order. */
  public List<String> calls() {
    return List.copyOf(calls);
  }

  /** The paths ({@code /<bucket>/<key>}) of every S3 PutObject passed on, in order. */
  public List<String> objectsWritten() {
    return List.copyOf(objectsWritten);
  }

  /**
   * When job {@code jobId} stopped (epoch milliseconds, as Batch's {@code stoppedAt}), if it did.
   */
  public java.util.Optional<Long> stoppedAt(String jobId) {
    Job job = jobs.get(jobId);
    return job == null ? java.util.Optional.empty() : java.util.Optional.ofNullable(job.stoppedAt);
  }

  /** How many job definition revisions were registered, over every name. */
  public int definitionsRegistered() {
    return definitions.values().stream().mapToInt(List::size).sum();
  }

  /** The revisions registered under {@code name}, as they were registered. */
  public List<JsonNode> definitions(String name) {
    return List.copyOf(definitions.getOrDefault(name, List.of()));
  }

  /** How often SubmitJob was called with {@code jobName}. */
  public long submissions(String jobName) {
    return submittedNames.stream().filter(jobName::equals).count();
  }

  /** How many containers were started for jobs named {@code jobName}. */
  public int containerStarts(String jobName) {
    AtomicInteger n = containerStarts.get(jobName);
    return n == null ? 0 : n.get();
  }

  /** The SubmitJob requests received, as sent. */
  public List<JsonNode> submitted() {
    return jobs.values().stream().map(j -> (JsonNode) j.request).toList();
  }

  @Override
  public void close() {
    holds.values().forEach(Hold::release);
    CountDownLatch gate = nextJobGate;
    if (gate != null) {
      gate.countDown();
    }
    server.stop(0);
    threads.shutdownNow();
  }

  // ---- dispatch -------------------------------------------------------------------------------

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
      String path = exchange.getRequestURI().getPath();
      String form = new String(body, StandardCharsets.UTF_8);
      Answer answer;
      if (target != null) {
        String operation = target.substring(target.indexOf('.') + 1);
        answer =
            failing.contains(operation)
                ? unavailable(operation, "application/x-amz-json-1.1")
                : held(operation, body, () -> answerJsonTarget(target, operation, body));
      } else if (path.startsWith("/v1/")) {
        String operation = batchOperation(path);
        answer =
            failing.contains(operation)
                ? unavailable(operation, "application/json")
                : held(operation, body, () -> answerBatch(operation, body));
      } else if (form.contains("Action=GetCallerIdentity")) {
        calls.add("GetCallerIdentity");
        answer =
            new Answer(
                200,
                "text/xml",
                ("<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                        + "<GetCallerIdentityResult><Arn>arn:aws:iam::"
                        + ACCOUNT
                        + ":user/tester</Arn><UserId>AIDATESTER</UserId><Account>"
                        + ACCOUNT
                        + "</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>"
                        + UUID.randomUUID()
                        + "</RequestId></ResponseMetadata></GetCallerIdentityResponse>")
                    .getBytes(StandardCharsets.UTF_8));
      } else {
        passToS3(exchange, body);
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", answer.contentType());
      if (answer.status() >= 400) {
        JsonNode error = json.readTree(answer.body());
        exchange.getResponseHeaders().set("x-amzn-ErrorType", error.path("__type").asString());
      }
      exchange.sendResponseHeaders(answer.status(), answer.body().length);
      exchange.getResponseBody().write(answer.body());
    } catch (IOException e) {
      // the caller went away (a killed service): nothing to answer
    } catch (RuntimeException e) {
      byte[] text = ("{\"message\":\"" + e + "\"}").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(500, text.length);
      exchange.getResponseBody().write(text);
    }
  }

  private record Answer(int status, String contentType, byte[] body) {}

  /**
   * Holds the next call of an operation a test asked to hold; while it is held, the same request
   * again is held too, rather than answered: the SDK's retry after its socket timed out, or a step
   * run again after a create-once call timed out. What a held call does (a definition registered, a
   * job submitted) happens only when it is released, once, and every copy of the request gets that
   * one answer: until then the service cannot find what the call makes and move past it, however
   * long the test holds it.
   */
  private Answer held(String operation, byte[] body, java.util.function.Supplier<Answer> answer)
      throws IOException {
    calls.add(operation);
    String request = operation + "\n" + new String(body, StandardCharsets.UTF_8);
    Hold hold = holding.get(request);
    if (hold == null || hold.released.getCount() == 0) {
      hold = holds.remove(operation);
      if (hold == null) {
        return answer.get();
      }
      holding.put(request, hold);
    }
    hold.arrived.countDown();
    try {
      hold.released.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while held", e);
    }
    return hold.answerOnce(answer);
  }

  private Answer unavailable(String operation, String contentType) {
    calls.add(operation);
    return error(
        503, "ServiceUnavailableException", "the fake is down for " + operation, contentType);
  }

  private Answer ok(JsonNode body, String contentType) {
    return new Answer(200, contentType, json.writeValueAsBytes(body));
  }

  private Answer error(int status, String type, String message, String contentType) {
    ObjectNode body = json.createObjectNode().put("__type", type).put("message", message);
    return new Answer(status, contentType, json.writeValueAsBytes(body));
  }

  // ---- STS (JSON), ECR and CloudWatch Logs ------------------------------------------------------

  private Answer answerJsonTarget(String target, String operation, byte[] body) {
    String type = "application/x-amz-json-1.1";
    JsonNode request = body.length == 0 ? json.createObjectNode() : json.readTree(body);
    if (target.startsWith("AWSSecurityTokenService")) {
      return ok(
          json.createObjectNode()
              .put("Account", ACCOUNT)
              .put("Arn", "arn:aws:iam::" + ACCOUNT + ":user/tester")
              .put("UserId", "AIDATESTER"),
          "application/x-amz-json-1.0");
    }
    return switch (operation) {
      case "DescribeRepositories" -> {
        ObjectNode answer = json.createObjectNode();
        ArrayNode repositories = answer.putArray("repositories");
        request
            .path("repositoryNames")
            .forEach(
                n ->
                    repositories
                        .addObject()
                        .put("repositoryName", n.asString())
                        .put("registryId", ACCOUNT)
                        .put("repositoryUri", registry + "/" + n.asString()));
        yield ok(answer, type);
      }
      case "DescribeImages" -> {
        String repository = request.path("repositoryName").asString();
        String tag = request.path("imageIds").path(0).path("imageTag").asString();
        if (!inRegistry(repository, tag)) {
          yield error(400, "ImageNotFoundException", "no image " + repository + ":" + tag, type);
        }
        ObjectNode answer = json.createObjectNode();
        answer
            .putArray("imageDetails")
            .addObject()
            .put("repositoryName", repository)
            .put("registryId", ACCOUNT)
            .putArray("imageTags")
            .add(tag);
        yield ok(answer, type);
      }
      case "GetAuthorizationToken" -> {
        ObjectNode answer = json.createObjectNode();
        answer
            .putArray("authorizationData")
            .addObject()
            .put(
                "authorizationToken",
                Base64.getEncoder()
                    .encodeToString("AWS:fake-registry-password".getBytes(StandardCharsets.UTF_8)))
            .put("expiresAt", System.currentTimeMillis() / 1000.0 + 43_200)
            .put("proxyEndpoint", "http://" + registry);
        yield ok(answer, type);
      }
      case "DescribeLogGroups" -> {
        ObjectNode answer = json.createObjectNode();
        answer
            .putArray("logGroups")
            .addObject()
            .put("logGroupName", request.path("logGroupNamePrefix").asString());
        yield ok(answer, type);
      }
      case "GetLogEvents" -> {
        List<String> lines = logStreams.get(request.path("logStreamName").asString());
        if (lines == null) {
          yield error(400, "ResourceNotFoundException", "no such log stream", type);
        }
        int from =
            request.hasNonNull("nextToken")
                ? Integer.parseInt(request.path("nextToken").asString().substring(2))
                : 0;
        ObjectNode answer = json.createObjectNode();
        ArrayNode events = answer.putArray("events");
        long now = System.currentTimeMillis();
        for (int i = from; i < lines.size(); i++) {
          events
              .addObject()
              .put("timestamp", now)
              .put("ingestionTime", now)
              .put("message", lines.get(i));
        }
        answer.put("nextForwardToken", "f/" + lines.size());
        answer.put("nextBackwardToken", "b/0");
        yield ok(answer, type);
      }
      default -> error(400, "InvalidAction", "the fake does not speak " + target, type);
    };
  }

  private boolean inRegistry(String repository, String tag) {
    try {
      HttpResponse<Void> response =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://" + registry + "/v2/" + repository + "/manifests/" + tag))
                  .method("HEAD", HttpRequest.BodyPublishers.noBody())
                  .header("Accept", "application/vnd.docker.distribution.manifest.v2+json")
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  // ---- AWS Batch --------------------------------------------------------------------------------

  private static String batchOperation(String path) {
    return switch (path) {
      case "/v1/describejobqueues" -> "DescribeJobQueues";
      case "/v1/describejobdefinitions" -> "DescribeJobDefinitions";
      case "/v1/registerjobdefinition" -> "RegisterJobDefinition";
      case "/v1/submitjob" -> "SubmitJob";
      case "/v1/listjobs" -> "ListJobs";
      case "/v1/describejobs" -> "DescribeJobs";
      case "/v1/terminatejob" -> "TerminateJob";
      default -> path;
    };
  }

  private Answer answerBatch(String operation, byte[] body) {
    String type = "application/json";
    JsonNode request = body.length == 0 ? json.createObjectNode() : json.readTree(body);
    return switch (operation) {
      case "DescribeJobQueues" -> {
        ObjectNode answer = json.createObjectNode();
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
                        .putArray("computeEnvironmentOrder"));
        yield ok(answer, type);
      }
      case "DescribeJobDefinitions" -> {
        String name = request.path("jobDefinitionName").asString();
        ObjectNode answer = json.createObjectNode();
        ArrayNode found = answer.putArray("jobDefinitions");
        definitions.getOrDefault(name, List.of()).forEach(found::add);
        yield ok(answer, type);
      }
      case "RegisterJobDefinition" -> {
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
        yield ok(
            json.createObjectNode()
                .put("jobDefinitionName", name)
                .put("jobDefinitionArn", definition.path("jobDefinitionArn").asString())
                .put("revision", definition.path("revision").asInt()),
            type);
      }
      case "SubmitJob" -> {
        Job job = new Job(UUID.randomUUID().toString(), (ObjectNode) request, nextJobGate);
        nextJobGate = null;
        jobs.put(job.id, job);
        submittedNames.add(job.name());
        threads.execute(() -> run(job));
        yield ok(
            json.createObjectNode()
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
        ObjectNode answer = json.createObjectNode();
        ArrayNode summaries = answer.putArray("jobSummaryList");
        for (Job job : jobs.values()) {
          if (job.name().equals(name)) {
            summaries
                .addObject()
                .put("jobId", job.id)
                .put("jobName", job.name())
                .put("createdAt", job.createdAt)
                .put("status", job.status);
          }
        }
        yield ok(answer, type);
      }
      case "DescribeJobs" -> {
        ObjectNode answer = json.createObjectNode();
        ArrayNode details = answer.putArray("jobs");
        request
            .path("jobs")
            .forEach(
                id -> {
                  String[] parentAndIndex = id.asString().split(":", 2);
                  Job job = jobs.get(parentAndIndex[0]);
                  if (job != null && parentAndIndex.length == 1) {
                    details.add(job.detail());
                  } else if (job != null && job.children.containsKey(parentAndIndex[1])) {
                    details.add(job.children.get(parentAndIndex[1]));
                  }
                });
        yield ok(answer, type);
      }
      case "TerminateJob" -> {
        Job job = jobs.get(request.path("jobId").asString());
        if (job != null) {
          job.terminate("Terminated: " + request.path("reason").asString());
        }
        yield ok(json.createObjectNode(), type);
      }
      default -> error(404, "ClientException", "the fake does not speak " + operation, type);
    };
  }

  private static String arn(String resource) {
    return "arn:aws:batch:" + REGION + ":" + ACCOUNT + ":" + resource;
  }

  /** A submitted job and what became of it. */
  private final class Job {
    final String id;
    final ObjectNode request;
    final CountDownLatch gate;
    final long createdAt = System.currentTimeMillis();
    volatile String status = "SUBMITTED";
    volatile String statusReason;
    volatile Integer exitCode;
    volatile String containerId;
    volatile String logStream;
    volatile boolean terminated;
    volatile Map<String, Integer> summary;
    volatile Long startedAt;
    volatile Long stoppedAt;

    /** An array job's children by index, as DescribeJobs of {@code <id>:<index>} shows them. */
    final Map<String, ObjectNode> children = new ConcurrentHashMap<>();

    Job(String id, ObjectNode request, CountDownLatch gate) {
      this.id = id;
      this.request = request;
      this.gate = gate;
    }

    String name() {
      return request.path("jobName").asString();
    }

    synchronized void terminate(String reason) {
      terminated = true;
      statusReason = reason;
      if (containerId != null) {
        try {
          docker.killContainerCmd(containerId).exec();
        } catch (RuntimeException e) {
          // already ended
        }
      } else if (!"SUCCEEDED".equals(status) && !"FAILED".equals(status)) {
        status = "FAILED";
      }
    }

    ObjectNode detail() {
      ObjectNode detail =
          json.createObjectNode()
              .put("jobId", id)
              .put("jobName", name())
              .put("jobArn", arn("job/" + id))
              .put("jobQueue", request.path("jobQueue").asString())
              .put("jobDefinition", request.path("jobDefinition").asString())
              .put("status", status)
              .put("createdAt", createdAt);
      if (startedAt != null) {
        detail.put("startedAt", startedAt);
      }
      if (stoppedAt != null) {
        detail.put("stoppedAt", stoppedAt);
      }
      if (statusReason != null) {
        detail.put("statusReason", statusReason);
      }
      ObjectNode container = detail.putObject("container");
      if (logStream != null) {
        container.put("logStreamName", logStream);
      }
      if (summary != null) {
        ObjectNode array = detail.putObject("arrayProperties");
        array.put("size", summary.values().stream().mapToInt(Integer::intValue).sum());
        ObjectNode counts = array.putObject("statusSummary");
        summary.forEach(counts::put);
      }
      if (exitCode != null) {
        container.put("exitCode", exitCode);
        ObjectNode attempt = detail.putArray("attempts").addObject();
        attempt.putObject("container").put("exitCode", exitCode).put("logStreamName", logStream);
        if (statusReason != null) {
          attempt.put("statusReason", statusReason);
        }
      }
      return detail;
    }
  }

  private void run(Job job) {
    try {
      if (job.gate != null) {
        job.gate.await();
      }
      Thread.sleep(200);
      job.status = "PENDING";
      for (JsonNode dependency : job.request.path("dependsOn")) {
        Job upstream = jobs.get(dependency.path("jobId").asString());
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
      ObjectNode definition = definition(job.request.path("jobDefinition").asString());
      List<String> environment = new ArrayList<>();
      jobEnvironment.forEach((k, v) -> environment.add(k + "=" + v));
      environment.add("AWS_BATCH_JOB_ID=" + job.id);
      environment.add("AWS_BATCH_JOB_ATTEMPT=1");
      definition
          .path("containerProperties")
          .path("environment")
          .forEach(
              e -> environment.add(e.path("name").asString() + "=" + e.path("value").asString()));
      job.request
          .path("containerOverrides")
          .path("environment")
          .forEach(
              e -> environment.add(e.path("name").asString() + "=" + e.path("value").asString()));
      String image = definition.path("containerProperties").path("image").asString();
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
              json.createObjectNode().put("jobId", job.id + ":" + index).put("status", "RUNNING");
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
              json.createObjectNode()
                  .put("jobId", job.id + ":" + index)
                  .put("status", exit == 0 ? "SUCCEEDED" : "FAILED");
          child.putObject("container").put("logStreamName", stream).put("exitCode", exit);
          job.children.put(Integer.toString(index), child);
        }
      }
      synchronized (job) {
        job.stoppedAt = System.currentTimeMillis();
        job.summary = size > 1 ? Map.of("SUCCEEDED", size - failed, "FAILED", failed) : null;
        if (job.terminated || failed > 0) {
          job.status = "FAILED";
          job.statusReason = "Essential container in task exited";
        } else {
          job.status = "SUCCEEDED";
          job.statusReason = "Essential container in task exited";
        }
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

  private int runContainer(Job job, String image, List<String> environment, String stream)
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
    logStreams.merge(
        stream,
        List.copyOf(lines),
        (a, b) -> {
          List<String> all = new ArrayList<>(a);
          all.addAll(b);
          return all;
        });
    docker.removeContainerCmd(containerId).withForce(true).exec();
    synchronized (job) {
      job.containerId = null;
    }
    return exit;
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

  // ---- S3 ---------------------------------------------------------------------------------------

  private void passToS3(HttpExchange exchange, byte[] body) throws IOException {
    calls.add("S3 " + exchange.getRequestMethod());
    if ("PUT".equals(exchange.getRequestMethod())) {
      objectsWritten.add(exchange.getRequestURI().getPath());
    }
    String query = exchange.getRequestURI().getRawQuery();
    URI target =
        s3.resolve(exchange.getRequestURI().getRawPath() + (query == null ? "" : "?" + query));
    HttpRequest.Builder request =
        HttpRequest.newBuilder(target)
            .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
    exchange
        .getRequestHeaders()
        .forEach(
            (name, values) -> {
              if (!SKIPPED_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                values.forEach(v -> request.header(name, v));
              }
            });
    HttpResponse<byte[]> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    response
        .headers()
        .map()
        .forEach(
            (name, values) -> {
              if (!SKIPPED_HEADERS.contains(name.toLowerCase(java.util.Locale.ROOT))
                  && !name.startsWith(":")) {
                values.forEach(v -> exchange.getResponseHeaders().add(name, v));
              }
            });
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    byte[] payload = response.body();
    exchange.sendResponseHeaders(
        response.statusCode(), head || payload.length == 0 ? -1 : payload.length);
    if (!head && payload.length > 0) {
      exchange.getResponseBody().write(payload);
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
