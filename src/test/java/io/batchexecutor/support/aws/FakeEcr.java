package io.batchexecutor.support.aws;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * ECR (JSON 1.1) in front of a real loopback registry: repositories are the registry's, an image is
 * found when the registry has its manifest, and the login is the registry's (anonymous) one.
 */
final class FakeEcr {

  private final String registry;
  private final HttpClient http;

  FakeEcr(String registry, HttpClient http) {
    this.registry = registry;
    this.http = http;
  }

  boolean speaks(String target) {
    return target.startsWith("AmazonEC2ContainerRegistry");
  }

  AwsAnswer answer(String operation, JsonNode request) {
    String type = AwsAnswer.JSON_1_1;
    return switch (operation) {
      case "DescribeRepositories" -> {
        ObjectNode answer = AwsAnswer.JSON.createObjectNode();
        ArrayNode repositories = answer.putArray("repositories");
        request
            .path("repositoryNames")
            .forEach(
                n ->
                    repositories
                        .addObject()
                        .put("repositoryName", n.asString())
                        .put("registryId", FakeAwsEndpoint.ACCOUNT)
                        .put("repositoryUri", registry + "/" + n.asString()));
        yield AwsAnswer.ok(answer, type);
      }
      case "DescribeImages" -> {
        String repository = request.path("repositoryName").asString();
        String tag = request.path("imageIds").path(0).path("imageTag").asString();
        if (!inRegistry(repository, tag)) {
          yield AwsAnswer.error(
              400, "ImageNotFoundException", "no image " + repository + ":" + tag, type);
        }
        ObjectNode answer = AwsAnswer.JSON.createObjectNode();
        answer
            .putArray("imageDetails")
            .addObject()
            .put("repositoryName", repository)
            .put("registryId", FakeAwsEndpoint.ACCOUNT)
            .putArray("imageTags")
            .add(tag);
        yield AwsAnswer.ok(answer, type);
      }
      case "GetAuthorizationToken" -> {
        ObjectNode answer = AwsAnswer.JSON.createObjectNode();
        answer
            .putArray("authorizationData")
            .addObject()
            .put(
                "authorizationToken",
                Base64.getEncoder()
                    .encodeToString("AWS:fake-registry-password".getBytes(StandardCharsets.UTF_8)))
            .put("expiresAt", System.currentTimeMillis() / 1000.0 + 43_200)
            .put("proxyEndpoint", "http://" + registry);
        yield AwsAnswer.ok(answer, type);
      }
      default ->
          AwsAnswer.error(400, "InvalidAction", "the fake ECR does not speak " + operation, type);
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
}
