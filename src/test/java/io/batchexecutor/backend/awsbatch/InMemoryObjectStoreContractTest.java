package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.storage.ObjectStore;
import io.batchexecutor.storage.ObjectStoreContract;

/** The in-memory store that the Batch steps' tests read from is as faithful as S3 itself. */
class InMemoryObjectStoreContractTest extends ObjectStoreContract {

  @Override
  protected ObjectStore store() {
    return new InMemoryObjectStore();
  }

  @Override
  protected String bucket() {
    return "bucket";
  }
}
