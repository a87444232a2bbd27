package io.batchexecutor.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class TaskImageTest {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final byte[] RUNNER = "print('runner')".getBytes(StandardCharsets.UTF_8);

  @Test
  void theTagIsAHashOfTheWholeContext() {
    TaskImage a = image("python:3.11-slim", List.of(), false, 1);
    TaskImage same = image("python:3.11-slim", List.of(), false, 1);
    TaskImage otherArgs = image("python:3.11-slim", List.of(), false, 2);
    TaskImage otherBase = image("python:3.12-slim", List.of(), false, 1);

    assertThat(same.localReference()).isEqualTo(a.localReference());
    assertThat(otherArgs.tag()).isNotEqualTo(a.tag());
    assertThat(otherBase.tag()).isNotEqualTo(a.tag());
    assertThat(a.localReference()).matches("batch-executor-task:[0-9a-f]{40}");
  }

  @Test
  void requirementsGoIntoAnExecFormRunThatNoShellReads() {
    String dockerfile =
        dockerfile(image("python:3.11-slim", List.of("numpy==2.1.0", "pandas>=2"), false, 1));

    assertThat(dockerfile)
        .startsWith("FROM python:3.11-slim\n")
        .contains(
            "RUN [\"python3\",\"-m\",\"pip\",\"install\",\"--no-cache-dir\","
                + "\"--only-binary=:all:\",\"numpy==2.1.0\",\"pandas>=2\"]\n")
        .endsWith("ENTRYPOINT [\"python3\", \"/batch-executor/runner\"]\n");
    // compiled before anything the requirements install can run
    assertThat(dockerfile.indexOf("RUN [\"python3\",\"-c\",\"import compileall"))
        .isPositive()
        .isLessThan(dockerfile.indexOf("\"pip\",\"install\""));
  }

  @Test
  void imagesForAwsBatchGetBoto3WhenTheBaseLacksIt() {
    String local = dockerfile(image("python:3.11-slim", List.of(), false, 1));
    String batch = dockerfile(image("python:3.11-slim", List.of(), true, 1));

    assertThat(local).doesNotContain("boto3");
    assertThat(batch)
        .contains(
            "RUN [\"sh\",\"-c\",\"python3 -c 'import boto3' 2>/dev/null"
                + " || python3 -m pip install \\\"$@\\\" boto3\",\"sh\",\"--no-cache-dir\","
                + "\"--only-binary=:all:\"]\n");
  }

  @Test
  void pipInstallsFromTheConfiguredIndexAsWheelsUnlessSourceBuildsAreAllowed() {
    TaskImage.Environment mirror =
        new TaskImage.Environment(
            "python:3.11-slim",
            List.of("numpy==2.1.0"),
            true,
            new PipInstall(URI.create("https://mirror.example/simple/"), false));
    String dockerfile = dockerfile(TaskImage.environment(mirror, RUNNER, "sha256:1", JSON));

    assertThat(dockerfile)
        .contains(
            "RUN [\"python3\",\"-m\",\"pip\",\"install\",\"--no-cache-dir\","
                + "\"--only-binary=:all:\",\"--index-url\",\"https://mirror.example/simple/\","
                + "\"numpy==2.1.0\"]\n")
        .as("boto3 for Batch comes from the same index")
        .contains(
            "\"sh\",\"--no-cache-dir\",\"--only-binary=:all:\",\"--index-url\","
                + "\"https://mirror.example/simple/\"]\n");

    assertThat(dockerfile.indexOf("import boto3"))
        .as("nothing runs Python after the requirements are installed")
        .isLessThan(dockerfile.indexOf("numpy==2.1.0"));
    assertThat(dockerfile.substring(dockerfile.indexOf("numpy==2.1.0"))).doesNotContain("RUN ");

    TaskImage.Environment sources =
        new TaskImage.Environment(
            "python:3.11-slim", List.of("numpy==2.1.0"), false, new PipInstall(null, true));
    assertThat(dockerfile(TaskImage.environment(sources, RUNNER, "sha256:1", JSON)))
        .contains(
            "RUN [\"python3\",\"-m\",\"pip\",\"install\",\"--no-cache-dir\","
                + "\"numpy==2.1.0\"]\n")
        .doesNotContain("--only-binary")
        .doesNotContain("--index-url");
  }

  @Test
  void theIndexAndSourceBuildsArePartOfTheEnvironment() {
    List<String> numpy = List.of("numpy==2.1.0");
    String pypi =
        TaskImage.environment(
                new TaskImage.Environment("python:3.11-slim", numpy, false),
                RUNNER,
                "sha256:1",
                JSON)
            .tag();
    String mirror =
        TaskImage.environment(
                new TaskImage.Environment(
                    "python:3.11-slim",
                    numpy,
                    false,
                    new PipInstall(URI.create("https://mirror.example/simple/"), false)),
                RUNNER,
                "sha256:1",
                JSON)
            .tag();
    String sources =
        TaskImage.environment(
                new TaskImage.Environment(
                    "python:3.11-slim", numpy, false, new PipInstall(null, true)),
                RUNNER,
                "sha256:1",
                JSON)
            .tag();

    assertThat(mirror).isNotEqualTo(pypi);
    assertThat(sources).isNotEqualTo(pypi).isNotEqualTo(mirror);
  }

  @Test
  void thePayloadCarriesSourceNameAndArguments() {
    TaskImage image = image("python:3.11-slim", List.of(), false, 7);
    JsonNode payload = JSON.readTree(image.files().get("payload.json"));

    assertThat(payload.get("function").asString()).isEqualTo("task");
    assertThat(payload.get("args").get(0).asInt()).isEqualTo(7);
    assertThat(payload.get("source").asString()).contains("def task");
    assertThat(image.tar().length).isGreaterThan(1024);
  }

  @Test
  void anEnvironmentImageIsTheSameForEveryCallAndHoldsNoPayload() {
    TaskImage.Environment env = new TaskImage.Environment("python:3.11-slim", List.of(), false);
    TaskImage a = TaskImage.environment(env, RUNNER, "sha256:1", JSON);

    assertThat(a.localReference()).matches("batch-executor-env:[0-9a-f]{40}");
    assertThat(a.isEnvironment()).isTrue();
    assertThat(a.files()).containsOnlyKeys("Dockerfile", "runner.py", TaskImage.VOLUME_ARCHIVE);
    assertThat(dockerfile(a))
        .contains("COPY runner.py /batch-executor/runner/__main__.py\n")
        .doesNotContain("payload.json");
    assertThat(TaskImage.environment(env, RUNNER, "sha256:1", JSON).tag()).isEqualTo(a.tag());
  }

  @Test
  void anEnvironmentIsItsBaseImageAndItsIdItsRequirementsItsRunnerAndBoto3() {
    String tag = environmentTag("python:3.11-slim", List.of(), false, RUNNER, "sha256:1");

    assertThat(environmentTag("python:3.11-slim", List.of(), false, RUNNER, "sha256:2"))
        .as("the base image pulled anew under the same name")
        .isNotEqualTo(tag);
    assertThat(environmentTag("python:3.11-slim", List.of(), false, RUNNER, null))
        .as("an id the engine does not know yet")
        .isNotEqualTo(tag);
    assertThat(environmentTag("python:3.12-slim", List.of(), false, RUNNER, "sha256:1"))
        .isNotEqualTo(tag);
    assertThat(environmentTag("python:3.11-slim", List.of("numpy"), false, RUNNER, "sha256:1"))
        .isNotEqualTo(tag);
    byte[] otherRunner = "print('another runner')".getBytes(StandardCharsets.UTF_8);
    assertThat(environmentTag("python:3.11-slim", List.of(), false, otherRunner, "sha256:1"))
        .isNotEqualTo(tag);
    assertThat(environmentTag("python:3.11-slim", List.of(), true, RUNNER, "sha256:1"))
        .as("boto3 for AWS Batch")
        .isNotEqualTo(tag);
  }

  private static String environmentTag(
      String base, List<String> requirements, boolean s3, byte[] runner, String baseId) {
    return TaskImage.environment(
            new TaskImage.Environment(base, requirements, s3), runner, baseId, JSON)
        .tag();
  }

  @Test
  void thePayloadIsTheSameBytesForTheSameCall() {
    TaskImage.Payload call =
        new TaskImage.Payload(
            "def task(x):\n    return x\n",
            "task",
            JSON.valueToTree(List.of(1)),
            JSON.createObjectNode());

    assertThat(TaskImage.payloadJson(call, JSON)).isEqualTo(TaskImage.payloadJson(call, JSON));
    assertThat(TaskImage.payloadJson(call, JSON))
        .as("what a baked image holds")
        .isEqualTo(image("python:3.11-slim", List.of(), false, 1).files().get("payload.json"));
  }

  private static TaskImage image(String base, List<String> requirements, boolean s3, int arg) {
    return TaskImage.of(
        new TaskImage.Environment(base, requirements, s3),
        new TaskImage.Payload(
            "def task(x):\n    return x\n",
            "task",
            JSON.valueToTree(List.of(arg)),
            JSON.createObjectNode()),
        RUNNER,
        JSON);
  }

  private static String dockerfile(TaskImage image) {
    return new String(image.files().get("Dockerfile"), StandardCharsets.UTF_8);
  }
}
