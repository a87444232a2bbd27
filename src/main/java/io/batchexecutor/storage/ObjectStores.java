package io.batchexecutor.storage;

import java.net.URI;
import java.util.List;
import java.util.Optional;

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

  /** Deletes everything under {@code prefix}, in whichever store handles its scheme. */
  public void deleteUnder(String prefix) {
    URI uri = URI.create(prefix);
    readable.stream().filter(s -> s.handles(uri)).findFirst().ifPresent(s -> s.deleteUnder(uri));
  }

  /** The object at {@code pointer}, from whichever store handles its scheme. */
  public Optional<byte[]> get(String pointer) {
    if (pointer == null) {
      return Optional.empty();
    }
    URI uri = URI.create(pointer);
    return readable.stream().filter(s -> s.handles(uri)).findFirst().flatMap(s -> s.get(uri));
  }
}
