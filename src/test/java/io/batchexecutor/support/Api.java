package io.batchexecutor.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A real HTTP client for the service under test, on 127.0.0.1. */
public final class Api {

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final JsonMapper json = JsonMapper.builder().build();

  /** The token of client {@code tester} in application-test.yml. */
  public static final String TESTER = "test-token-tester-0001";

  /** The token of client {@code intruder} in application-test.yml. */
  public static final String INTRUDER = "test-token-intruder-0002";

  /** The operator's token in application-test.yml: metrics and health details, no client. */
  public static final String OPERATOR = "test-token-operator-0003";

  private final String base;
  private final String token;

  public Api(int port) {
    this(port, TESTER);
  }

  private Api(int port, String token) {
    this.base = "http://127.0.0.1:" + port;
    this.token = token;
  }

  /** The same service, called with another token ({@code null}: none). */
  public Api as(String otherToken) {
    return new Api(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)), otherToken);
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path));
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    return builder;
  }

  /** An answer: status, headers and body. */
  public record Response(int status, Map<String, java.util.List<String>> headers, String text) {

    public JsonNode json() {
      return JsonMapper.builder().build().readTree(text);
    }

    public Optional<String> header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .flatMap(e -> e.getValue().stream())
          .findFirst();
    }

    public String contentType() {
      return header("Content-Type").orElse("");
    }
  }

  public Response get(String path) {
    return send(request(path).GET().build());
  }

  public Response get(String path, String accept) {
    return send(request(path).header("Accept", accept).GET().build());
  }

  /** The raw bytes of a GET, for binary answers. */
  public byte[] bytes(String path, String accept) {
    try {
      return http.send(
              request(path).header("Accept", accept).GET().build(),
              HttpResponse.BodyHandlers.ofByteArray())
          .body();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A GET whose answer is read line by line as it arrives. */
  public HttpResponse<java.util.stream.Stream<String>> lines(String path) {
    try {
      return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofLines());
    } catch (IOException e) {
      throw new IllegalStateException("request failed: " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public Response delete(String path) {
    return send(request(path).DELETE().build());
  }

  public Response post(String path, String body, String... headers) {
    HttpRequest.Builder request =
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return send(request.build());
  }

  public Response post(String path, Object body, String... headers) {
    return post(path, json.writeValueAsString(body), headers);
  }

  /** Uploads {@code data} for the client's tasks ({@code POST /api/v1/files}). */
  public Response upload(byte[] data) {
    return send(
        request("/api/v1/files")
            .header("Content-Type", "application/octet-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(data))
            .build());
  }

  public Response send(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.headers().map(), response.body());
    } catch (IOException e) {
      throw new IllegalStateException("request failed: " + request, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** How long a held answer must stay held to count as held: five of the service's 100 ms ticks. */
  static final Duration HELD_FOR = Duration.ofMillis(500);

  /**
   * GETs {@code path} (a {@code ?wait=} request), checks that its answer is still held {@link
   * #HELD_FOR} later, then does {@code meanwhile} and returns the answer that follows.
   */
  public Response heldUntil(String path, Runnable meanwhile) {
    CompletableFuture<Response> held = held(path);
    meanwhile.run();
    try {
      return held.get(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError(path + " was not answered after the change", e);
    }
  }

  /**
   * GETs {@code path} (a request the service holds for {@code wait}: {@code ?wait=}, {@code
   * ?follow=true}), checks that its answer is still held {@link #HELD_FOR} later, then moves the
   * service's {@code clock} by {@code wait} and returns the answer that follows: the wait is over
   * for the service without passing here. A request that reached the service only after a move
   * waits from there, so the clock moves on until the answer comes.
   */
  public Response heldUntilTheWaitIsOver(String path, SettableClock clock, Duration wait) {
    CompletableFuture<Response> held = held(path);
    try {
      for (int moves = 0; moves < 10; moves++) {
        clock.advance(wait);
        try {
          return held.get(2, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          // not yet waiting when the clock moved: move it again
        }
      }
      throw new AssertionError(path + " was not answered after its wait was over");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new AssertionError(path + " failed", e);
    }
  }

  private CompletableFuture<Response> held(String path) {
    CompletableFuture<Response> held = CompletableFuture.supplyAsync(() -> get(path));
    try {
      Thread.sleep(HELD_FOR.toMillis()); // a fixed wait: the answer must still be held after it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (held.isDone()) {
      throw new AssertionError(path + " was answered at once: " + held.join().text());
    }
    return held;
  }

  /** Reads the task until {@code until} holds, or fails after {@code timeout}. */
  public JsonNode awaitTask(String id, Predicate<JsonNode> until, Duration timeout) {
    return await("/api/v1/tasks/" + id, until, timeout);
  }

  /** Reads the task until it has ended, or fails after {@code timeout}. */
  public JsonNode awaitEnd(String id, Duration timeout) {
    return awaitTask(
        id,
        t -> List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(t.get("status").asString()),
        timeout);
  }

  /** Reads the workflow until {@code until} holds, or fails after {@code timeout}. */
  public JsonNode awaitWorkflow(String id, Predicate<JsonNode> until, Duration timeout) {
    return await("/api/v1/workflows/" + id, until, timeout);
  }

  /** Reads the JSON at {@code path} until {@code until} holds, or fails after {@code timeout}. */
  public JsonNode await(String path, Predicate<JsonNode> until, Duration timeout) {
    return Awaitility.await(path)
        .atMost(timeout)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> get(path).json(), until);
  }
}
