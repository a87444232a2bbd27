package io.batchexecutor.storage;

import io.batchexecutor.config.AwsBatchProperties;
import io.batchexecutor.config.AwsClients;
import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.config.BatchExecutorProperties.StorageType;
import io.batchexecutor.config.ExecutorSettingsResolver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The object stores: the local filesystem under {@code <cache_dir>/objects} (the default for the
 * local backend), and S3 when {@code batch-executor.storage.type=s3} (the AWS Batch backend's),
 * with the endpoint override and path-style addressing that S3-compatible servers need.
 */
@Configuration(proxyBeanMethods = false)
public class StorageConfiguration {

  @Bean
  ObjectStores objectStores(
      ExecutorSettingsResolver settings,
      AwsBatchProperties aws,
      BatchExecutorProperties properties) {
    LocalObjectStore local =
        new LocalObjectStore(Path.of(settings.defaults().cacheDir(), "objects"));
    List<ObjectStore> readable = new ArrayList<>(List.of(local));
    ObjectStore primary = local;
    if (properties.storage().typeOn(properties.deployment()) == StorageType.S3) {
      S3ObjectStore s3 = new S3ObjectStore(AwsClients.s3(aws, settings.defaults()));
      readable.add(s3);
      primary = s3;
    }
    return new ObjectStores(primary, readable);
  }
}
