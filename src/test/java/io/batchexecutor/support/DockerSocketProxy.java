package io.batchexecutor.support;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;

/**
 * The local Docker engine behind a loopback TCP port that a test can cut and restore: while cut,
 * nothing listens on the port and every open connection is closed, as when dockerd is down; the
 * engine and its containers go on undisturbed behind it.
 */
public final class DockerSocketProxy implements AutoCloseable {

  private final int port;
  private final Path socket;
  private final Set<Closeable> open = ConcurrentHashMap.newKeySet();
  private ServerSocket server;

  private DockerSocketProxy(int port, Path socket) {
    this.port = port;
    this.socket = socket;
  }

  /** A proxy on a free loopback port, cut until {@link #restore} is called. */
  public static DockerSocketProxy cutOnFreePort() throws IOException {
    String host = System.getenv("DOCKER_HOST");
    Path socket =
        host != null && host.startsWith("unix://")
            ? Path.of(host.substring("unix://".length()))
            : Path.of("/var/run/docker.sock");
    Assumptions.assumeTrue(
        Files.exists(socket), "the Docker engine is not on a Unix socket at " + socket);
    int port = FreePorts.any();
    return new DockerSocketProxy(port, socket);
  }

  /** {@code tcp://127.0.0.1:<port>}, for {@code batch-executor.docker.host}. */
  public String dockerHost() {
    return "tcp://127.0.0.1:" + port;
  }

  /** Starts answering on the port again. */
  public synchronized void restore() throws IOException {
    if (server != null) {
      return;
    }
    ServerSocket listening = new ServerSocket();
    listening.setReuseAddress(true);
    listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    server = listening;
    Thread accept =
        new Thread(
            () -> {
              while (!listening.isClosed()) {
                try {
                  relay(listening.accept());
                } catch (IOException e) {
                  return; // closed by cut()
                }
              }
            },
            "docker-proxy-accept");
    accept.setDaemon(true);
    accept.start();
  }

  /** Stops listening and drops every open connection. */
  public synchronized void cut() {
    if (server != null) {
      closeQuietly(server);
      server = null;
    }
    open.forEach(DockerSocketProxy::closeQuietly);
    open.clear();
  }

  @Override
  public void close() {
    cut();
  }

  private void relay(Socket client) throws IOException {
    SocketChannel engine = SocketChannel.open(UnixDomainSocketAddress.of(socket));
    open.add(client);
    open.add(engine);
    InputStream fromClient = client.getInputStream();
    OutputStream toClient = client.getOutputStream();
    // The channel is read and written directly: its stream adapters share one lock, which would
    // block a write while a read waits.
    pump(
        () -> {
          byte[] buffer = new byte[64 * 1024];
          for (int n; (n = fromClient.read(buffer)) >= 0; ) {
            ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
            while (chunk.hasRemaining()) {
              engine.write(chunk);
            }
          }
        },
        client,
        engine);
    pump(
        () -> {
          ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
          while (engine.read(buffer) >= 0) {
            toClient.write(buffer.array(), 0, buffer.position());
            toClient.flush();
            buffer.clear();
          }
        },
        client,
        engine);
  }

  private interface Copy {
    void run() throws IOException;
  }

  private void pump(Copy copy, Closeable a, Closeable b) {
    Thread t =
        new Thread(
            () -> {
              try {
                copy.run();
              } catch (IOException e) {
                // the other side went away or the proxy was cut
              } finally {
                closeQuietly(a);
                closeQuietly(b);
                open.remove(a);
                open.remove(b);
              }
            },
            "docker-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // already closed
    }
  }
}
