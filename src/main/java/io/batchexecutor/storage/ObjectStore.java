package io.batchexecutor.storage;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where task results and logs are kept: S3 (pointers {@code s3://bucket/key}) or the local
 * filesystem (pointers {@code file:/...}). A task stores the pointer; whoever serves the result
 * reads it back through the store that {@link #handles} its scheme.
 */
public interface ObjectStore {

  /** Stores {@code data} under {@code key} (in {@code bucket}, where the store has buckets). */
  URI put(String bucket, String key, byte[] data);

  /**
   * Stores the content of {@code file} under {@code key}, read as it is sent, never whole in memory
   * (in the stores that keep large objects: {@link LocalObjectStore}, {@link S3ObjectStore}).
   */
  default URI put(String bucket, String key, Path file) {
    try {
      return put(bucket, key, Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** The size in bytes of the object at {@code pointer}, if it exists. */
  default OptionalLong size(URI pointer) {
    return get(pointer).map(bytes -> OptionalLong.of(bytes.length)).orElse(OptionalLong.empty());
  }

  /** What {@link #open(URI, long, long)} takes for "to the end". */
  long END = Long.MAX_VALUE;

  /**
   * The bytes of the object at {@code pointer} from {@code from} up to {@code to} (exclusive;
   * {@link #END} for all the rest), as a stream the caller closes; only what is asked for is
   * fetched.
   */
  default Optional<InputStream> open(URI pointer, long from, long to) {
    return get(pointer)
        .map(
            bytes -> {
              int start = (int) Math.min(bytes.length, from);
              int end = (int) Math.min(bytes.length, Math.max(start, to));
              return new ByteArrayInputStream(bytes, start, end - start);
            });
  }

  /**
   * The pointer that {@link #put} would return for {@code key}, without writing anything; for a key
   * ending in {@code /}, a prefix for {@link #deleteUnder}.
   */
  URI locate(String bucket, String key);

  /** The object at {@code pointer}, if it exists. */
  Optional<byte[]> get(URI pointer);

  /**
   * The object at {@code pointer}, if it exists and has at most {@code maxBytes}; a larger one is
   * not read into memory (its size is known before its body is read). This default, for stores that
   * hold their objects in memory anyway, checks the size of what {@link #get} gives.
   *
   * @throws ObjectTooLargeException when the object has more than {@code maxBytes}
   */
  default Optional<byte[]> get(URI pointer, long maxBytes) {
    Optional<byte[]> object = get(pointer);
    if (object.isPresent() && object.get().length > maxBytes) {
      throw new ObjectTooLargeException(pointer.toString(), object.get().length, maxBytes);
    }
    return object;
  }

  /**
   * Deletes every object whose pointer starts with {@code prefix} (a pointer ending in {@code /});
   * nothing there is not an error.
   *
   * @throws IllegalArgumentException for a pointer that does not end in {@code /}, or that names
   *     the whole store
   */
  void deleteUnder(URI prefix);

  /** Whether this store reads pointers like {@code pointer}. */
  boolean handles(URI pointer);
}
