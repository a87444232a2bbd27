package io.batchexecutor.storage;

import io.batchexecutor.support.s3.S3MockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 store keeps the object store contract, against S3Mock, a real S3-compatible server. */
class S3ObjectStoreContractIT extends ObjectStoreContract {

  static final String BUCKET = "batch-executor-contract";
  static S3Client s3;

  @BeforeAll
  static void createBucket() {
    S3MockServer.get().ensureBucket(BUCKET);
    s3 = S3MockServer.get().client();
  }

  @AfterAll
  static void close() {
    s3.close();
  }

  @Override
  protected ObjectStore store() {
    return new S3ObjectStore(s3);
  }

  @Override
  protected String bucket() {
    return BUCKET;
  }
}
