package io.batchexecutor.config;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * How every AWS client of the service is set up: the configured credentials file and profile (when
 * the file exists) or the SDK's default chain, the configured region or the SDK's region chain, and
 * an endpoint override ({@code batch-executor.awsbatch.endpoint}, else {@code AWS_ENDPOINT_URL}) so
 * that the same code runs against any AWS-compatible endpoint.
 */
public final class AwsClients {

  private AwsClients() {}

  /** The endpoint override, or {@code null} for AWS itself. */
  public static URI endpoint(AwsBatchProperties aws) {
    if (aws.endpoint() != null) {
      return aws.endpoint();
    }
    String env = System.getenv("AWS_ENDPOINT_URL");
    return env == null || env.isBlank() ? null : URI.create(env);
  }

  /** Applies endpoint, region and credentials to {@code builder}. */
  public static <B extends AwsClientBuilder<B, C>, C> B configure(
      B builder, AwsBatchProperties aws, ExecutorSettings settings) {
    URI endpoint = endpoint(aws);
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    if (settings.region() != null) {
      builder.region(Region.of(settings.region()));
    }
    builder.credentialsProvider(credentials(settings));
    return builder;
  }

  /** An S3 client as {@link #configure} sets it up, path-style when the settings ask for it. */
  public static S3Client s3(AwsBatchProperties aws, ExecutorSettings settings) {
    return configure(S3Client.builder(), aws, settings)
        .forcePathStyle(Boolean.TRUE.equals(aws.s3PathStyle()))
        .build();
  }

  /** The credentials file's profile when the file exists, else the default chain for it. */
  public static AwsCredentialsProvider credentials(ExecutorSettings settings) {
    Path file = settings.credentials() == null ? null : Path.of(settings.credentials());
    if (file != null && Files.isReadable(file)) {
      return ProfileCredentialsProvider.builder()
          .profileFile(
              ProfileFile.builder().content(file).type(ProfileFile.Type.CREDENTIALS).build())
          .profileName(settings.profile())
          .build();
    }
    return DefaultCredentialsProvider.builder().profileName(settings.profile()).build();
  }
}
