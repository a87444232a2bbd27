package io.batchexecutor.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.support.Tasks;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;

/**
 * Clients that send their bodies a byte at a time hold no request thread: while more of them
 * trickle than the server has threads, every other call is served; each is cut at the body's
 * deadline, and one without a client's token is answered at once, its body unread.
 */
@ServiceTest
@TestPropertySource(
    properties = {
      "batch-executor.api.body-deadline=10s",
      "batch-executor.api.request-threads=8",
      "batch-executor.api.bodies-per-client=" + SlowClientsTest.WITH_TOKEN
    })
class SlowClientsTest {

  static final int WITH_TOKEN = 40;
  static final int WITHOUT_TOKEN = 10;

  @LocalServerPort int port;

  final List<Socket> sockets = new ArrayList<>();
  final ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void close() throws IOException {
    trickle.shutdownNow();
    for (Socket socket : sockets) {
      socket.close();
    }
  }

  @Test
  void tricklingBodiesHoldNoThreadAndAreCutAtTheDeadline() throws Exception {
    List<Socket> withToken = new ArrayList<>();
    List<Socket> withoutToken = new ArrayList<>();
    for (int i = 0; i < WITH_TOKEN + WITHOUT_TOKEN; i++) {
      boolean token = i < WITH_TOKEN;
      Socket socket = startPost(token ? Api.TESTER : null);
      (token ? withToken : withoutToken).add(socket);
    }
    // a byte a second to each, until it is answered: no read timeout trips on that
    trickle.scheduleAtFixedRate(
        () -> {
          for (Socket socket : withToken) {
            try {
              if (socket.getInputStream().available() == 0) {
                socket.getOutputStream().write(' ');
                socket.getOutputStream().flush();
              }
            } catch (IOException closed) {
              // answered and closed: nothing more to send
            }
          }
        },
        1,
        1,
        TimeUnit.SECONDS);

    for (Socket socket : withoutToken) {
      String answer = readToEnd(socket, 10_000);
      assertThat(answer).startsWith("HTTP/1.1 401").containsIgnoringCase("connection: close");
    }

    // more trickling bodies than request threads, and the API still answers everyone else
    Api api = new Api(port);
    Api.Response listed = api.get("/api/v1/tasks");
    assertThat(listed.status()).as(listed.text()).isEqualTo(200);
    Api.Response submitted = api.as(Api.INTRUDER).post("/api/v1/tasks", Tasks.add().build());
    assertThat(submitted.status()).as(submitted.text()).isEqualTo(202);
    // the client whose bodies are all still arriving is at its bound: its next body waits
    Api.Response over = api.post("/api/v1/tasks", Tasks.add().build());
    assertThat(over.status()).as(over.text()).isEqualTo(429);
    assertThat(over.json().get("type").asString()).endsWith("too-many-request-bodies");
    assertThat(over.header("Retry-After")).contains("1");
    for (Socket socket : withToken) {
      assertThat(socket.getInputStream().available())
          .as("no answer yet to a body that is still arriving")
          .isZero();
    }

    for (Socket socket : withToken) {
      String answer = readToEnd(socket, 30_000);
      assertThat(answer)
          .startsWith("HTTP/1.1 408")
          .containsIgnoringCase("connection: close")
          .contains("request-body-too-slow")
          .contains("batch-executor.api.body-deadline");
    }
    assertThat(api.get("/api/v1/tasks?size=200").text())
        .as("nothing of the cut bodies was stored")
        .doesNotContain("trickled");
  }

  @Test
  void aBodyOutsideTheApiIsNeverGathered() throws Exception {
    Socket socket = connect();
    socket
        .getOutputStream()
        .write(
            ("POST /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4000000\r\n\r\n{")
                .getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();

    String answer = readToEnd(socket, 30_000);
    assertThat(answer)
        .as("answered without waiting for the body, which nothing outside the API takes")
        .startsWith("HTTP/1.1 4")
        .doesNotStartWith("HTTP/1.1 408")
        .containsIgnoringCase("connection: close");
  }

  @Test
  void aBodyDeclaredTooLargeIsAnsweredAtOnceAndLeftUnread() throws Exception {
    Socket socket = connect();
    socket.getOutputStream().write(headers(Api.TESTER, "Content-Length: 104857600"));
    socket.getOutputStream().write("{\"name\":".getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();

    String answer = readToEnd(socket, 10_000);
    assertThat(answer)
        .startsWith("HTTP/1.1 413")
        .containsIgnoringCase("connection: close")
        .contains("request-too-large");
  }

  @Test
  void aWholeBodySentInPiecesIsServed() throws Exception {
    byte[] body =
        "{\"name\":\"pieces\",\"function\":{\"source\":\"def f():\\n    return 1\\n\",\"name\":\"f\"}}"
            .getBytes(StandardCharsets.UTF_8);
    Socket socket = connect();
    OutputStream out = socket.getOutputStream();
    out.write(headers(Api.TESTER, "Transfer-Encoding: chunked"));
    for (int i = 0; i < body.length; i += 16) {
      int n = Math.min(16, body.length - i);
      out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body, i, n);
      out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Thread.sleep(20);
    }
    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();

    String answer = readHead(socket, 10_000);
    assertThat(answer).startsWith("HTTP/1.1 202");
  }

  private Socket startPost(String token) throws IOException {
    Socket socket = connect();
    OutputStream out = socket.getOutputStream();
    out.write(headers(token, "Content-Length: 200"));
    out.write("{\"name\":\"trickled\"".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return socket;
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    sockets.add(socket);
    return socket;
  }

  private byte[] headers(String token, String length) {
    return ("POST /api/v1/tasks HTTP/1.1\r\n"
            + "Host: 127.0.0.1:"
            + port
            + "\r\n"
            + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
            + "Content-Type: application/json\r\n"
            + length
            + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** Everything the server sends until it closes the connection. */
  private static String readToEnd(Socket socket, int timeoutMillis) throws IOException {
    socket.setSoTimeout(timeoutMillis);
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[4096];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        read.write(buffer, 0, n);
      }
    } catch (SocketException e) {
      // reset by a byte of ours that crossed the server's close: the answer came before it
      return read.toString(StandardCharsets.UTF_8);
    } catch (SocketTimeoutException e) {
      throw new AssertionError(
          "the connection was not closed within "
              + timeoutMillis
              + " ms; read: "
              + read.toString(StandardCharsets.UTF_8),
          e);
    }
    return read.toString(StandardCharsets.UTF_8);
  }

  /** The status line and headers of the first answer. */
  private static String readHead(Socket socket, int timeoutMillis) throws IOException {
    socket.setSoTimeout(timeoutMillis);
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    while (!read.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      read.write(b);
    }
    return read.toString(StandardCharsets.ISO_8859_1);
  }
}
