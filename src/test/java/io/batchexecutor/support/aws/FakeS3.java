package io.batchexecutor.support.aws;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** S3: every request passed on as it came to an S3-compatible server, its answer passed back. */
final class FakeS3 {

  static final Set<String> SKIPPED_HEADERS =
      Set.of("host", "content-length", "connection", "expect", "transfer-encoding", "upgrade");

  private final URI s3;
  private final HttpClient http;
  private final List<String> objectsWritten = new CopyOnWriteArrayList<>();

  FakeS3(URI s3, HttpClient http) {
    this.s3 = s3;
    this.http = http;
  }

  /** The paths ({@code /<bucket>/<key>}) of every PutObject passed on, in order. */
  List<String> objectsWritten() {
    return List.copyOf(objectsWritten);
  }

  void pass(HttpExchange exchange, byte[] body) throws IOException {
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
              if (!SKIPPED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
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
              if (!SKIPPED_HEADERS.contains(name.toLowerCase(Locale.ROOT))
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
}
