package io.batchexecutor.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A package index (PEP 503 simple API) of the tests on a loopback port, with packages made in the
 * test: pure-Python wheels, source-only packages (an sdist whose {@code setup.py} would call back
 * here if it ever ran), and <em>slow</em> projects whose index page is sent a byte every 250 ms for
 * as long as the client listens — a build that installs one hangs in pip until it is stopped, and
 * the index sees the moment pip's connection goes.
 */
public final class LoopbackIndex implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final Map<String, Map<String, byte[]>> projects = new ConcurrentHashMap<>();
  private final Set<String> slow = ConcurrentHashMap.newKeySet();
  private final List<String> requested = new CopyOnWriteArrayList<>();
  private final Set<String> holding = ConcurrentHashMap.newKeySet();
  private final Set<String> hungUp = ConcurrentHashMap.newKeySet();
  private final AtomicInteger heldNow = new AtomicInteger();
  private final AtomicInteger mostHeld = new AtomicInteger();
  private final CountDownLatch closing = new CountDownLatch(1);

  private LoopbackIndex(HttpServer server) {
    this.server = server;
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  /** An empty index on a free loopback port. */
  public static LoopbackIndex start() {
    try {
      return new LoopbackIndex(
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The index's simple API, as pip's {@code --index-url} takes it. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/simple/";
  }

  /** The paths asked for so far, in order. */
  public List<String> requested() {
    return List.copyOf(requested);
  }

  /** A pure-Python wheel of {@code name} {@code version} holding {@code files} (path to text). */
  public void addWheel(String name, String version, Map<String, String> files) {
    String file = name + "-" + version + "-py3-none-any.whl";
    projects
        .computeIfAbsent(name, n -> new LinkedHashMap<>())
        .put(file, wheel(name, version, files));
  }

  /**
   * A source distribution only: its {@code setup.py} asks this index for {@code /setup-py-ran} if
   * anything ever runs it.
   */
  public void addSourceOnly(String name, String version) {
    String setup =
        "import urllib.request\n"
            + "urllib.request.urlopen('http://127.0.0.1:"
            + server.getAddress().getPort()
            + "/setup-py-ran')\n"
            + "from setuptools import setup\n"
            + "setup(name='"
            + name
            + "', version='"
            + version
            + "')\n";
    String root = name + "-" + version + "/";
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(root + "PKG-INFO", metadata(name, version));
    files.put(root + "setup.py", setup.getBytes(StandardCharsets.UTF_8));
    projects
        .computeIfAbsent(name, n -> new LinkedHashMap<>())
        .put(name + "-" + version + ".tar.gz", tarGz(files));
  }

  /** A project whose index page never ends while the client listens. */
  public void addSlow(String name) {
    slow.add(name);
  }

  /** Whether pip is reading (or has read) the page of slow project {@code name}. */
  public boolean holding(String name) {
    return holding.contains(name);
  }

  /** Whether the client reading slow project {@code name}'s page went away. */
  public boolean hungUp(String name) {
    return hungUp.contains(name);
  }

  /** The most slow pages sent at once so far. */
  public int mostHeldAtOnce() {
    return mostHeld.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    requested.add(path);
    try {
      if (path.startsWith("/simple/")) {
        String project = path.substring("/simple/".length()).replaceAll("/$", "");
        if (slow.contains(project)) {
          trickle(exchange, project);
        } else if (projects.containsKey(project)) {
          send(exchange, 200, "text/html", page(project));
        } else {
          send(exchange, 404, "text/plain", "no such project".getBytes(StandardCharsets.UTF_8));
        }
        return;
      }
      if (path.startsWith("/files/")) {
        String file = path.substring("/files/".length());
        for (Map<String, byte[]> files : projects.values()) {
          if (files.containsKey(file)) {
            send(exchange, 200, "application/octet-stream", files.get(file));
            return;
          }
        }
      }
      send(exchange, 404, "text/plain", "not here".getBytes(StandardCharsets.UTF_8));
    } finally {
      exchange.close();
    }
  }

  private byte[] page(String project) {
    StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html><body>\n");
    for (Map.Entry<String, byte[]> file : projects.get(project).entrySet()) {
      html.append("<a href=\"/files/")
          .append(file.getKey())
          .append("#sha256=")
          .append(HexFormat.of().formatHex(sha256(file.getValue())))
          .append("\">")
          .append(file.getKey())
          .append("</a><br/>\n");
    }
    return html.append("</body></html>\n").toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Sends the start of a page, then a space every 250 ms, until the client goes or the index stops.
   */
  private void trickle(HttpExchange exchange, String project) {
    holding.add(project);
    int now = heldNow.incrementAndGet();
    mostHeld.accumulateAndGet(now, Math::max);
    try {
      exchange.getResponseHeaders().set("Content-Type", "text/html");
      exchange.sendResponseHeaders(200, 0);
      OutputStream body = exchange.getResponseBody();
      body.write("<!DOCTYPE html>\n<html><body>\n".getBytes(StandardCharsets.UTF_8));
      body.flush();
      while (!closing.await(250, TimeUnit.MILLISECONDS)) {
        body.write(' ');
        body.flush();
      }
    } catch (IOException e) {
      hungUp.add(project);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      heldNow.decrementAndGet();
    }
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    threads.shutdownNow();
  }

  /** A wheel: the files, and the {@code .dist-info} with METADATA, WHEEL and RECORD. */
  static byte[] wheel(String name, String version, Map<String, String> files) {
    String info = name + "-" + version + ".dist-info/";
    Map<String, byte[]> entries = new LinkedHashMap<>();
    files.forEach((path, text) -> entries.put(path, text.getBytes(StandardCharsets.UTF_8)));
    entries.put(info + "METADATA", metadata(name, version));
    entries.put(
        info + "WHEEL",
        ("Wheel-Version: 1.0\nGenerator: batch-executor-tests\nRoot-Is-Purelib: true\n"
                + "Tag: py3-none-any\n")
            .getBytes(StandardCharsets.UTF_8));
    StringBuilder record = new StringBuilder();
    entries.forEach(
        (path, bytes) ->
            record
                .append(path)
                .append(",sha256=")
                .append(Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(bytes)))
                .append(',')
                .append(bytes.length)
                .append('\n'));
    record.append(info).append("RECORD,,\n");
    entries.put(info + "RECORD", record.toString().getBytes(StandardCharsets.UTF_8));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(entry.getKey()));
        zip.write(entry.getValue());
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] metadata(String name, String version) {
    return ("Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] tarGz(Map<String, byte[]> files) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(out))) {
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
        entry.setSize(file.getValue().length);
        entry.setMode(0644);
        tar.putArchiveEntry(entry);
        tar.write(file.getValue());
        tar.closeArchiveEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
