package io.batchexecutor.support.aws;

import com.github.dockerjava.api.DockerClient;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/**
 * A small AWS-compatible endpoint on 127.0.0.1 for the whole AWS Batch flow, spoken to through the
 * real AWS SDK wire protocols. It dispatches each call to the service it is for: STS ({@link
 * FakeSts}, query and JSON), ECR ({@link FakeEcr}, a real loopback registry behind it) and
 * CloudWatch Logs ({@link FakeLogs}), both JSON 1.1, SQS ({@link FakeSqs}, JSON 1.0), AWS Batch
 * ({@link FakeBatchApi}, REST JSON; its jobs run by {@link FakeJobRunner} as containers on the
 * local Docker engine) and S3 ({@link FakeS3}, passed on to an S3-compatible server).
 *
 * <p>A test can hold the answer to the next call of an operation ({@link #holdNext}), keep the next
 * submitted job in SUBMITTED ({@link #gateNextJob}) or make an operation unavailable ({@link
 * #failEvery}), to catch the service in a given state. Every call and every container start is
 * counted.
 */
public final class FakeAwsEndpoint implements AutoCloseable {

  public static final String ACCOUNT = "123456789012";
  static final String REGION = "us-east-1";

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool(daemon("fake-aws"));
  private final FakeS3 s3;
  private final FakeEcr ecr;
  private final FakeLogs logs = new FakeLogs();
  private final FakeJobRunner runner;
  private final FakeBatchApi batch;
  private final FakeSqs sqs;

  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final Map<String, Hold> holds = new ConcurrentHashMap<>();
  private final Map<String, Hold> holding = new ConcurrentHashMap<>();
  private final Set<String> failing = ConcurrentHashMap.newKeySet();

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
    HttpClient http = HttpClient.newHttpClient();
    this.s3 = new FakeS3(s3, http);
    this.ecr = new FakeEcr(registry, http);
    this.runner = new FakeJobRunner(docker, jobEnvironment, logs);
    this.batch = new FakeBatchApi(runner, threads);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
    sqs = new FakeSqs(endpoint() + "/" + ACCOUNT + "/batch-job-events");
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
    private AwsAnswer answer;

    private synchronized AwsAnswer answerOnce(Supplier<AwsAnswer> make) {
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

  /** Makes the secret at {@code arn} hold {@code value}, for the containers of jobs that get it. */
  public void secret(String arn, String value) {
    runner.secretValues.put(arn, value);
  }

  /**
   * Makes {@code queue} a Fargate queue: its compute environment is FARGATE, and its jobs must use
   * Fargate definitions of Fargate sizes, as AWS Batch requires (every queue is EC2 otherwise).
   */
  public void fargateQueue(String queue) {
    batch.fargateQueue(queue);
  }

  /** Keeps the next submitted job in SUBMITTED until the returned latch is counted down. */
  public CountDownLatch gateNextJob() {
    return batch.gateNextJob();
  }

  /**
   * Answers every call of {@code operation} with {@code 503 Service Unavailable} until the returned
   * handle is closed.
   */
  public AutoCloseable failEvery(String operation) {
    failing.add(operation);
    return () -> failing.remove(operation);
  }

  /** The URL of the endpoint's one SQS queue, which receives what {@link #sendToQueue} sends. */
  public String queueUrl() {
    return sqs.queueUrl();
  }

  /**
   * Puts {@code body} in the SQS queue, as an EventBridge rule does with an event (see {@link
   * #batchJobStateChange}).
   */
  public void sendToQueue(String body) {
    sqs.send(body);
  }

  /** The messages in the SQS queue that were not deleted yet. */
  public int queueMessagesLeft() {
    return sqs.left();
  }

  /** An EventBridge "Batch Job State Change" event for job {@code jobId}, saying {@code status}. */
  public static String batchJobStateChange(String jobId, String status) {
    return AwsAnswer.JSON
        .createObjectNode()
        .put("version", "0")
        .put("id", java.util.UUID.randomUUID().toString())
        .put("detail-type", "Batch Job State Change")
        .put("source", "aws.batch")
        .put("account", ACCOUNT)
        .put("region", REGION)
        .<tools.jackson.databind.node.ObjectNode>set(
            "detail", AwsAnswer.JSON.createObjectNode().put("jobId", jobId).put("status", status))
        .toString();
  }

  /** The status AWS Batch gives job {@code jobId}, if there is such a job. */
  public Optional<String> jobStatus(String jobId) {
    FakeBatchJob job = batch.job(jobId);
    return job == null ? Optional.empty() : Optional.of(job.status);
  }

  /** Every operation called, in order. */
  public List<String> calls() {
    return List.copyOf(calls);
  }

  /** The paths ({@code /<bucket>/<key>}) of every S3 PutObject passed on, in order. */
  public List<String> objectsWritten() {
    return s3.objectsWritten();
  }

  /**
   * When job {@code jobId} stopped (epoch milliseconds, as Batch's {@code stoppedAt}), if it did.
   */
  public Optional<Long> stoppedAt(String jobId) {
    FakeBatchJob job = batch.job(jobId);
    return job == null ? Optional.empty() : Optional.ofNullable(job.stoppedAt);
  }

  /** How many job definition revisions were registered, over every name. */
  public int definitionsRegistered() {
    return batch.definitionsRegistered();
  }

  /** The revisions registered under {@code name}, as they were registered. */
  public List<JsonNode> definitions(String name) {
    return batch.definitions(name);
  }

  /** How often SubmitJob was called with {@code jobName}. */
  public long submissions(String jobName) {
    return batch.submissions(jobName);
  }

  /** How many containers were started for jobs named {@code jobName}. */
  public int containerStarts(String jobName) {
    return runner.containerStarts(jobName);
  }

  /** The SubmitJob requests received, as sent. */
  public List<JsonNode> submitted() {
    return batch.submitted();
  }

  @Override
  public void close() {
    holds.values().forEach(Hold::release);
    batch.openGate();
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
      AwsAnswer answer;
      if (target != null) {
        String operation = target.substring(target.indexOf('.') + 1);
        answer =
            failing.contains(operation)
                ? unavailable(operation, AwsAnswer.JSON_1_1)
                : held(operation, body, () -> answerJsonTarget(target, operation, body));
      } else if (path.startsWith("/v1/")) {
        String operation = FakeBatchApi.operation(path);
        answer =
            failing.contains(operation)
                ? unavailable(operation, AwsAnswer.REST_JSON)
                : held(operation, body, () -> batch.answer(operation, AwsAnswer.read(body)));
      } else if (FakeSts.isQuery(form)) {
        calls.add("GetCallerIdentity");
        answer = FakeSts.queryAnswer();
      } else {
        calls.add("S3 " + exchange.getRequestMethod());
        s3.pass(exchange, body);
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", answer.contentType());
      if (answer.status() >= 400) {
        JsonNode error = AwsAnswer.JSON.readTree(answer.body());
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

  private AwsAnswer answerJsonTarget(String target, String operation, byte[] body) {
    JsonNode request = AwsAnswer.read(body);
    if (target.startsWith("AWSSecurityTokenService")) {
      return FakeSts.jsonAnswer();
    }
    if (ecr.speaks(target)) {
      return ecr.answer(operation, request);
    }
    if (logs.speaks(target)) {
      return logs.answer(operation, request);
    }
    if (sqs.speaks(target)) {
      return sqs.answer(operation, request);
    }
    return AwsAnswer.error(
        400, "InvalidAction", "the fake does not speak " + target, AwsAnswer.JSON_1_1);
  }

  /**
   * Holds the next call of an operation a test asked to hold; while it is held, the same request
   * again is held too, rather than answered: the SDK's retry after its socket timed out, or a step
   * run again after a create-once call timed out. What a held call does (a definition registered, a
   * job submitted) happens only when it is released, once, and every copy of the request gets that
   * one answer: until then the service cannot find what the call makes and move past it, however
   * long the test holds it.
   */
  private AwsAnswer held(String operation, byte[] body, Supplier<AwsAnswer> answer)
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

  private AwsAnswer unavailable(String operation, String contentType) {
    calls.add(operation);
    return AwsAnswer.error(
        503, "ServiceUnavailableException", "the fake is down for " + operation, contentType);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
