package io.batchexecutor.support;

import org.junit.jupiter.api.Assumptions;

/**
 * The loopback OCI registry that {@code .ci/provision} starts ({@code BATCH_EXECUTOR_TEST_REGISTRY}
 * , {@code host:port}), standing in for ECR. Tests that push need it: skipped with the reason where
 * it is missing, failed in CI ({@code CI=true}).
 */
public final class TestRegistry {

  /** The registry as {@code host:port}, or null. */
  public static final String ADDRESS = System.getenv("BATCH_EXECUTOR_TEST_REGISTRY");

  private TestRegistry() {}

  /** The registry's address; assumes it (or fails in CI) when unset. */
  public static String require() {
    if (ADDRESS == null && "true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(
          "CI must run this test, but BATCH_EXECUTOR_TEST_REGISTRY is unset");
    }
    Assumptions.assumeTrue(
        ADDRESS != null, "BATCH_EXECUTOR_TEST_REGISTRY is unset (source .ci/provision)");
    return ADDRESS;
  }
}
