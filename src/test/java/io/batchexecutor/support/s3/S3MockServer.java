package io.batchexecutor.support.s3;

import static org.awaitility.Awaitility.await;

import io.batchexecutor.support.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Adobe S3Mock, a real S3-compatible server, as a child process on 127.0.0.1 (its jar is copied to
 * {@code target/s3mock} by the build). One instance serves the whole test run.
 */
public final class S3MockServer {

  private static S3MockServer instance;

  private final Process process;
  private final URI endpoint;

  private S3MockServer(Process process, URI endpoint) {
    this.process = process;
    this.endpoint = endpoint;
  }

  /** The running server, started on first use. */
  public static synchronized S3MockServer get() {
    if (instance == null) {
      instance = start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> instance.process.destroy()));
    }
    return instance;
  }

  public URI endpoint() {
    return endpoint;
  }

  /** An S3 client of this server, path-style, with test credentials. */
  public software.amazon.awssdk.services.s3.S3Client client() {
    return software.amazon.awssdk.services.s3.S3Client.builder()
        .endpointOverride(endpoint)
        .forcePathStyle(true)
        .region(software.amazon.awssdk.regions.Region.US_EAST_1)
        .credentialsProvider(
            software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("test", "test")))
        .build();
  }

  /** Creates {@code bucket} unless it exists. */
  public void ensureBucket(String bucket) {
    try (var s3 = client()) {
      if (s3.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(bucket))) {
        s3.createBucket(b -> b.bucket(bucket));
      }
    }
  }

  private static S3MockServer start() {
    Path jar = Path.of("target", "s3mock", "s3mock.jar").toAbsolutePath();
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: run the tests through Maven");
    }
    try {
      Path initializer = copyInitializer();
      Path root = Files.createTempDirectory("s3mock-");
      int https = FreePorts.any();
      int http = FreePorts.any();
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process process =
          new ProcessBuilder(
                  List.of(
                      java,
                      "-Xmx256m",
                      "-Dloader.path=" + initializer,
                      "-cp",
                      jar.toString(),
                      "org.springframework.boot.loader.launch.PropertiesLauncher",
                      "--server.address=127.0.0.1",
                      "--server.port=" + https,
                      "--http.port=" + http,
                      "--com.adobe.testing.s3mock.store.root=" + root,
                      "--logging.level.root=WARN"))
              .redirectErrorStream(true)
              .redirectOutput(root.resolveSibling(root.getFileName() + ".log").toFile())
              .start();
      URI endpoint = URI.create("http://127.0.0.1:" + http);
      awaitUp(process, endpoint);
      return new S3MockServer(process, endpoint);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start S3Mock", e);
    }
  }

  private static Path copyInitializer() throws IOException {
    Path dir = Files.createTempDirectory("s3mock-loader-");
    String resource = LoopbackConnectors.class.getName().replace('.', '/');
    Path classes;
    try {
      classes =
          Path.of(
              LoopbackConnectors.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IOException(e);
    }
    try (var files = Files.list(classes.resolve(resource).getParent())) {
      for (Path f :
          files.filter(p -> p.getFileName().toString().startsWith("LoopbackConnectors")).toList()) {
        Path target = dir.resolve(resource).getParent().resolve(f.getFileName());
        Files.createDirectories(target.getParent());
        Files.copy(f, target);
      }
    }
    Path factories = dir.resolve("META-INF/spring.factories");
    Files.createDirectories(factories.getParent());
    Files.writeString(
        factories,
        "org.springframework.context.ApplicationContextInitializer="
            + LoopbackConnectors.class.getName()
            + "\n");
    return dir;
  }

  private static void awaitUp(Process process, URI endpoint) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    try {
      await("S3Mock at " + endpoint)
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> answers(process, http, endpoint));
    } catch (ConditionTimeoutException e) {
      process.destroy();
      throw new IllegalStateException("S3Mock did not answer at " + endpoint + " within 90 s", e);
    }
  }

  /** Whether S3Mock answers 200 at {@code endpoint}; throws once its process has exited. */
  private static boolean answers(Process process, HttpClient http, URI endpoint)
      throws InterruptedException {
    if (!process.isAlive()) {
      throw new IllegalStateException("S3Mock exited with " + process.exitValue());
    }
    try {
      HttpResponse<Void> r =
          http.send(
              HttpRequest.newBuilder(endpoint).GET().build(),
              HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false; // not up yet
    }
  }
}
