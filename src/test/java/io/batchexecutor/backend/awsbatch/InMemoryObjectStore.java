package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.storage.ObjectStore;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** An S3-like store in memory ({@code s3://bucket/key}), for steps that read what jobs wrote. */
class InMemoryObjectStore implements ObjectStore {

  final Map<URI, byte[]> objects = new ConcurrentHashMap<>();

  @Override
  public URI put(String bucket, String key, byte[] data) {
    URI uri = locate(bucket, key);
    objects.put(uri, data);
    return uri;
  }

  @Override
  public URI locate(String bucket, String key) {
    return URI.create("s3://" + bucket + "/" + key);
  }

  @Override
  public Optional<byte[]> get(URI pointer) {
    return Optional.ofNullable(objects.get(pointer));
  }

  @Override
  public void deleteUnder(URI prefix) {
    objects.keySet().removeIf(uri -> uri.toString().startsWith(prefix.toString()));
  }

  @Override
  public boolean handles(URI pointer) {
    return "s3".equals(pointer.getScheme());
  }
}
