package io.batchexecutor.storage;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** The store new objects go to, and every store pointers can be read back from. */
public class ObjectStores {

  private final ObjectStore writeTo;
  private final List<ObjectStore> readable;

  public ObjectStores(ObjectStore writeTo, List<ObjectStore> readable) {
    this.writeTo = writeTo;
    this.readable = List.copyOf(readable);
  }

  /** The store that new results and logs are written to. */
  public ObjectStore primary() {
    return writeTo;
  }

  /**
   * Where new objects go, in a form that tells instances whether they share it: {@code s3}, or
   * {@code local-<id>} for a local store, whose id every instance mounting the same directory reads
   * alike.
   */
  public String primaryIdentity() {
    return writeTo instanceof LocalObjectStore local ? "local-" + local.id() : "s3";
  }

  /** Whether new objects go to this instance's filesystem. */
  public boolean primaryIsLocal() {
    return writeTo instanceof LocalObjectStore;
  }

  /** Whether {@code pointer} names a file, an object of a local store. */
  public static boolean isLocal(String pointer) {
    return pointer != null && "file".equals(URI.create(pointer).getScheme());
  }

  /**
   * Whether {@code pointer} names a file of a local object store that is not on this machine (kept
   * by another instance, or gone): a look at the file system, nothing is read.
   */
  public static boolean notHere(String pointer) {
    return isLocal(pointer) && !Files.exists(Path.of(URI.create(pointer)));
  }

  /** Deletes everything under {@code prefix}, in whichever store handles its scheme. */
  public void deleteUnder(String prefix) {
    URI uri = URI.create(prefix);
    readable.stream().filter(s -> s.handles(uri)).findFirst().ifPresent(s -> s.deleteUnder(uri));
  }

  /** The size of the object at {@code pointer}, from whichever store handles its scheme. */
  public OptionalLong size(String pointer) {
    return read(pointer, (store, uri) -> Optional.of(store.size(uri))).orElse(OptionalLong.empty());
  }

  /**
   * The bytes of the object at {@code pointer} from {@code from} up to {@code to} (exclusive;
   * {@link ObjectStore#END} for the rest), as a stream the caller closes, from whichever store
   * handles its scheme.
   */
  public Optional<InputStream> open(String pointer, long from, long to) {
    return read(pointer, (store, uri) -> store.open(uri, from, to));
  }

  /** The object at {@code pointer}, from whichever store handles its scheme. */
  public Optional<byte[]> get(String pointer) {
    return read(pointer, ObjectStore::get);
  }

  /**
   * The object at {@code pointer} if it has at most {@code maxBytes}, from whichever store handles
   * its scheme; a larger one is not read into memory.
   *
   * @throws ObjectTooLargeException when it has more
   */
  public Optional<byte[]> get(String pointer, long maxBytes) {
    return read(pointer, (store, uri) -> store.get(uri, maxBytes));
  }

  /** {@code read} of the object at {@code pointer} by whichever store handles its scheme. */
  private <T> Optional<T> read(
      String pointer, java.util.function.BiFunction<ObjectStore, URI, Optional<T>> read) {
    if (pointer == null) {
      return Optional.empty();
    }
    URI uri = URI.create(pointer);
    return readable.stream()
        .filter(s -> s.handles(uri))
        .findFirst()
        .flatMap(s -> read.apply(s, uri));
  }
}
