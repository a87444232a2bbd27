package io.batchexecutor.storage;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The filesystem store keeps the object store contract. */
class LocalObjectStoreContractTest extends ObjectStoreContract {

  @TempDir Path dir;

  @Override
  protected ObjectStore store() {
    return new LocalObjectStore(dir.resolve("objects"));
  }

  @Override
  protected String bucket() {
    return "ignored-bucket";
  }
}
