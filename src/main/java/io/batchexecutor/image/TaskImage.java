package io.batchexecutor.image;

import io.batchexecutor.runner.RunnerContract;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The build context of a task's image: a Dockerfile {@code FROM} the base image and the runner
 * script, in one of two shapes:
 *
 * <ul>
 *   <li>an <b>environment image</b> ({@link #environment}): nothing of the call, so every task with
 *       the same base image (and image id), requirements and runner shares it; the payload reaches
 *       the container beside the image. Tagged {@code batch-executor-env:<hash>}.
 *   <li>a <b>baked image</b> ({@link #of}): the payload (function source and name, args, kwargs)
 *       built in, as the original executor did. Tagged {@code batch-executor-task:<hash>}, so the
 *       same function with the same arguments and environment is built once.
 * </ul>
 *
 * <p>Nothing the client sent is spliced into the Dockerfile as text except the base image and the
 * requirements, which validation has confined to plain references and packages by name, and which
 * go into exec-form (JSON array) instructions that no shell interprets. pip installs them from the
 * configured index, as wheels only unless the operator allows source builds ({@link PipInstall}).
 */
public final class TaskImage {

  /** The local repository that baked task images are tagged in. */
  public static final String REPOSITORY = "batch-executor-task";

  /** The local repository that environment images are tagged in. */
  public static final String ENVIRONMENT_REPOSITORY = "batch-executor-env";

  /** Where the runner reads the payload inside the container, in either shape. */
  public static final String PAYLOAD_PATH = "/batch-executor/payload.json";

  /**
   * Where the runner is in the image: a directory whose {@code __main__.py} it is, with that file
   * compiled beside it at the build ({@code python3 <dir>} loads the compiled file; a script named
   * on the command line would be compiled at every start).
   */
  static final String RUNNER_DIR = "/batch-executor/runner";

  /**
   * What the build's one step that runs Python does: compile the runner. Fixed text, nothing of a
   * request's; it never fails the build (a base image whose user may not write there keeps the
   * source only, which the runner's start then compiles).
   */
  private static final String COMPILE =
      "import compileall\ncompileall.compile_dir('" + RUNNER_DIR + "', quiet=1)\n";

  /**
   * An archive the build adds at the image's root, whoever the base image's user is: the local
   * backend's volume directory ({@link RunnerContract#VOLUME_DIR}), root's, open to all (1777).
   */
  static final String VOLUME_ARCHIVE = "batch-executor-files.tar";

  private static final byte[] VOLUME_DIRECTORY = volumeDirectory();

  private static byte[] volumeDirectory() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      TarArchiveEntry entry = new TarArchiveEntry(RunnerContract.VOLUME_DIR.substring(1) + "/");
      entry.setMode(01777);
      entry.setIds(0, 0);
      entry.setModTime(0);
      tar.putArchiveEntry(entry);
      tar.closeArchiveEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private final String repository;
  private final String baseImage;
  private final Map<String, byte[]> files;
  private final String contentHash;

  private TaskImage(
      String repository, String baseImage, Map<String, byte[]> files, String baseImageId) {
    this.repository = repository;
    this.baseImage = baseImage;
    this.files = Collections.unmodifiableMap(files);
    this.contentHash = hash(files, baseImageId);
  }

  /**
   * What the image is built from and for.
   *
   * @param baseImage the image to build on
   * @param requirements pip requirements to install
   * @param s3Results whether the runner uploads results to S3 (AWS Batch): boto3 is then installed
   *     when the base image lacks it
   * @param pip where pip installs from, and whether wheels only; part of the environment
   */
  public record Environment(
      String baseImage, List<String> requirements, boolean s3Results, PipInstall pip) {

    /** An environment whose requirements come from pip's default index, as wheels only. */
    public Environment(String baseImage, List<String> requirements, boolean s3Results) {
      this(baseImage, requirements, s3Results, PipInstall.WHEELS_FROM_DEFAULT_INDEX);
    }
  }

  /**
   * What the runner calls.
   *
   * @param source the module source
   * @param function the function's name
   * @param args positional arguments (a JSON array)
   * @param kwargs keyword arguments (a JSON object)
   * @param sweep for a sweep, {@code {"product": axes}} ({@code Sweep.payload}), or the list of
   *     every combination for a sweep accepted before payloads carried the axes; {@code null} for
   *     one run
   * @param files the task's file transfers, each written as JSON; {@code null} for none
   */
  public record Payload(
      String source,
      String function,
      JsonNode args,
      JsonNode kwargs,
      JsonNode sweep,
      List<?> files) {

    /** A payload for one run. */
    public Payload(String source, String function, JsonNode args, JsonNode kwargs) {
      this(source, function, args, kwargs, null, null);
    }

    /** A payload without file transfers. */
    public Payload(String source, String function, JsonNode args, JsonNode kwargs, JsonNode sweep) {
      this(source, function, args, kwargs, sweep, null);
    }
  }

  /** The context for a task: the runner script and the payload baked into the environment. */
  public static TaskImage of(
      Environment environment, Payload payload, byte[] runner, JsonMapper json) {
    Map<String, byte[]> files = new TreeMap<>();
    files.put("Dockerfile", dockerfile(environment, true, json).getBytes(StandardCharsets.UTF_8));
    files.put("runner.py", runner);
    files.put(VOLUME_ARCHIVE, VOLUME_DIRECTORY);
    files.put("payload.json", payloadJson(payload, json));
    return new TaskImage(REPOSITORY, environment.baseImage(), files, null);
  }

  /**
   * The environment image of every task with this {@code environment}: the runner, no payload.
   *
   * @param baseImageId the base image's id where the engine knows it ({@code null} where not), so
   *     that a base image pulled anew under the same reference makes a new environment
   */
  public static TaskImage environment(
      Environment environment, byte[] runner, String baseImageId, JsonMapper json) {
    Map<String, byte[]> files = new TreeMap<>();
    files.put("Dockerfile", dockerfile(environment, false, json).getBytes(StandardCharsets.UTF_8));
    files.put("runner.py", runner);
    files.put(VOLUME_ARCHIVE, VOLUME_DIRECTORY);
    return new TaskImage(ENVIRONMENT_REPOSITORY, environment.baseImage(), files, baseImageId);
  }

  /**
   * The payload as the runner reads it ({@code payload.json}): the same bytes for the same call, so
   * that writing it again after a crash writes the same object.
   */
  public static byte[] payloadJson(Payload payload, JsonMapper json) {
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("source", payload.source());
    document.put("function", payload.function());
    document.put("args", payload.args());
    document.put("kwargs", payload.kwargs());
    if (payload.sweep() != null) {
      // {"product": axes}, each run computing its combination; a list of every combination
      // in payloads of sweeps accepted before
      document.put("sweep", payload.sweep());
    }
    if (payload.files() != null) {
      // the files the runner places before the function and takes after it (absent: none, so
      // that the payload of a task without files is the same bytes as before)
      document.put("files", payload.files());
    }
    return json.writeValueAsBytes(document);
  }

  private static String dockerfile(Environment environment, boolean baked, JsonMapper json) {
    StringBuilder d = new StringBuilder();
    d.append("FROM ").append(environment.baseImage()).append('\n');
    d.append(
        "ENV PYTHONUNBUFFERED=1 PIP_BREAK_SYSTEM_PACKAGES=1 PIP_DISABLE_PIP_VERSION_CHECK=1\n");
    // the local backend's volume directory, open to the task's user (RunnerContract.VOLUME_DIR);
    // then the runner, compiled once here so that no task start compiles it again: run as a
    // directory, its __main__ is loaded from the compiled file the build left beside it
    d.append("ADD ").append(VOLUME_ARCHIVE).append(" /\n");
    d.append("COPY runner.py ").append(RUNNER_DIR).append("/__main__.py\n");
    d.append("RUN ")
        .append(json.writeValueAsString(List.of("python3", "-c", COMPILE)))
        .append('\n');
    List<String> requirements = environment.requirements();
    List<String> pipOptions = environment.pip().options();
    if (environment.s3Results()) {
      // the shell's script is fixed text; pip's options reach it as arguments ("$@"), never as text
      List<String> command =
          new ArrayList<>(
              List.of(
                  "sh",
                  "-c",
                  "python3 -c 'import boto3' 2>/dev/null || python3 -m pip install \"$@\" boto3",
                  "sh"));
      command.addAll(pipOptions);
      d.append("RUN ").append(json.writeValueAsString(command)).append('\n');
    }
    // the requirements come last of what runs: no Python starts in the build after they are
    // installed, so nothing a package installs (a .pth file, say) runs before the task does
    if (requirements != null && !requirements.isEmpty()) {
      List<String> command = new ArrayList<>(List.of("python3", "-m", "pip", "install"));
      command.addAll(pipOptions);
      command.addAll(requirements);
      d.append("RUN ").append(json.writeValueAsString(command)).append('\n');
    }
    if (baked) {
      d.append("COPY payload.json /batch-executor/\n");
    }
    d.append("ENTRYPOINT [\"python3\", \"").append(RUNNER_DIR).append("\"]\n");
    return d.toString();
  }

  public String baseImage() {
    return baseImage;
  }

  /** {@code batch-executor-task:<hash>} or {@code batch-executor-env:<hash>}. */
  public String localReference() {
    return repository + ":" + tag();
  }

  /** Whether this is an environment image (the payload travels beside it). */
  public boolean isEnvironment() {
    return ENVIRONMENT_REPOSITORY.equals(repository);
  }

  /** The content hash that is the image's tag everywhere (locally and in ECR). */
  public String tag() {
    return contentHash.substring(0, 40);
  }

  public Map<String, byte[]> files() {
    return files;
  }

  /** The context as the tar stream that the engine's build API takes. */
  public byte[] tar() {
    return tar(files);
  }

  /**
   * {@code files} (path to content, readable by all) as a tar stream, as the engine's build and
   * copy APIs take it; paths may be longer than tar's classic 100 characters.
   */
  public static byte[] tar(Map<String, byte[]> files) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
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

  private static String hash(Map<String, byte[]> files, String baseImageId) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      if (baseImageId != null) {
        digest.update(("base-image-id\0" + baseImageId + "\0").getBytes(StandardCharsets.UTF_8));
      }
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        digest.update(file.getKey().getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(Long.toString(file.getValue().length).getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(file.getValue());
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
