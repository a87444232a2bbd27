package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.storage.ObjectStore;
import io.batchexecutor.storage.S3ObjectStore;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An S3-like store in memory ({@code s3://bucket/key}, as {@link S3ObjectStore} writes them), for
 * steps that read what jobs wrote.
 */
class InMemoryObjectStore implements ObjectStore {

  /** The objects by bucket and key, as {@code bucket/key}. */
  private final Map<String, byte[]> objects = new ConcurrentHashMap<>();

  @Override
  public URI put(String bucket, String key, byte[] data) {
    objects.put(bucket + "/" + key, data.clone());
    return locate(bucket, key);
  }

  @Override
  public URI locate(String bucket, String key) {
    return S3ObjectStore.pointer(bucket, key);
  }

  @Override
  public Optional<byte[]> get(URI pointer) {
    return Optional.ofNullable(objects.get(pointer.getHost() + pointer.getPath()))
        .map(byte[]::clone);
  }

  @Override
  public void deleteUnder(URI prefix) {
    if (!prefix.getPath().endsWith("/") || prefix.getPath().equals("/")) {
      throw new IllegalArgumentException("not a prefix: " + prefix);
    }
    String under = prefix.getHost() + prefix.getPath();
    objects.keySet().removeIf(k -> k.startsWith(under));
  }

  @Override
  public boolean handles(URI pointer) {
    return "s3".equals(pointer.getScheme());
  }
}
