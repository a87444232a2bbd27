package io.batchexecutor.backend.awsbatch;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.AuthorizationData;
import software.amazon.awssdk.services.ecr.model.DescribeImagesRequest;
import software.amazon.awssdk.services.ecr.model.DescribeImagesResponse;
import software.amazon.awssdk.services.ecr.model.DescribeRepositoriesRequest;
import software.amazon.awssdk.services.ecr.model.DescribeRepositoriesResponse;
import software.amazon.awssdk.services.ecr.model.GetAuthorizationTokenRequest;
import software.amazon.awssdk.services.ecr.model.GetAuthorizationTokenResponse;
import software.amazon.awssdk.services.ecr.model.ImageDetail;
import software.amazon.awssdk.services.ecr.model.ImageNotFoundException;
import software.amazon.awssdk.services.ecr.model.Repository;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;

/** ECR in front of a real registry: its repository URI points at that registry. */
class FakeEcr implements EcrClient {

  final String registry;
  final Set<String> repositories = new HashSet<>();
  final Set<String> tagsInRegistry = new HashSet<>();
  final AtomicInteger tokenCalls = new AtomicInteger();
  Instant tokenExpiry = Instant.now().plusSeconds(12 * 3600);

  FakeEcr(String registry) {
    this.registry = registry;
  }

  @Override
  public DescribeRepositoriesResponse describeRepositories(DescribeRepositoriesRequest request) {
    String name = request.repositoryNames().get(0);
    if (!repositories.contains(name)) {
      throw RepositoryNotFoundException.builder().message("no repository " + name).build();
    }
    return DescribeRepositoriesResponse.builder()
        .repositories(
            Repository.builder().repositoryName(name).repositoryUri(registry + "/" + name).build())
        .build();
  }

  @Override
  public DescribeImagesResponse describeImages(DescribeImagesRequest request) {
    String tag = request.imageIds().get(0).imageTag();
    if (!tagsInRegistry.contains(request.repositoryName() + ":" + tag)) {
      throw ImageNotFoundException.builder().message("no image " + tag).build();
    }
    return DescribeImagesResponse.builder()
        .imageDetails(ImageDetail.builder().imageTags(tag).build())
        .build();
  }

  @Override
  public GetAuthorizationTokenResponse getAuthorizationToken(GetAuthorizationTokenRequest request) {
    tokenCalls.incrementAndGet();
    String token =
        Base64.getEncoder()
            .encodeToString("AWS:not-a-real-password".getBytes(StandardCharsets.UTF_8));
    return GetAuthorizationTokenResponse.builder()
        .authorizationData(
            AuthorizationData.builder()
                .authorizationToken(token)
                .proxyEndpoint("http://" + registry)
                .expiresAt(tokenExpiry)
                .build())
        .build();
  }

  /** Each repository's lifecycle policy, as set. */
  final Map<String, String> lifecyclePolicies = new java.util.concurrent.ConcurrentHashMap<>();

  @Override
  public software.amazon.awssdk.services.ecr.model.GetLifecyclePolicyResponse getLifecyclePolicy(
      software.amazon.awssdk.services.ecr.model.GetLifecyclePolicyRequest request) {
    String policy = lifecyclePolicies.get(request.repositoryName());
    if (policy == null) {
      throw software.amazon.awssdk.services.ecr.model.LifecyclePolicyNotFoundException.builder()
          .message("no lifecycle policy")
          .build();
    }
    return software.amazon.awssdk.services.ecr.model.GetLifecyclePolicyResponse.builder()
        .repositoryName(request.repositoryName())
        .lifecyclePolicyText(policy)
        .build();
  }

  @Override
  public software.amazon.awssdk.services.ecr.model.PutLifecyclePolicyResponse putLifecyclePolicy(
      software.amazon.awssdk.services.ecr.model.PutLifecyclePolicyRequest request) {
    lifecyclePolicies.put(request.repositoryName(), request.lifecyclePolicyText());
    return software.amazon.awssdk.services.ecr.model.PutLifecyclePolicyResponse.builder().build();
  }

  @Override
  public String serviceName() {
    return "ecr";
  }

  @Override
  public void close() {}
}
