package io.batchexecutor.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's pure modules (graph layout, timeline phases, router, sweep combinations, query
 * building) under Node's own test runner: {@code node --test src/test/js/*.test.mjs}. Where Node is
 * absent the test is skipped with that reason; under {@code CI=true} it fails instead.
 */
class DashboardModulesTest {

  private static final Path TESTS = Path.of("src", "test", "js");

  @Test
  void theDashboardsPureModulesPassTheirNodeTests() throws IOException, InterruptedException {
    String node = findNode();
    if (node == null) {
      if ("true".equals(System.getenv("CI"))) {
        fail("node is not on PATH: the dashboard's module tests need Node.js 18 or newer");
      }
      assumeTrue(false, "node is not on PATH: the dashboard's module tests need Node.js 18+");
    }
    List<String> command = new ArrayList<>(List.of(node, "--test"));
    try (Stream<Path> files = Files.list(TESTS)) {
      files
          .filter(p -> p.getFileName().toString().endsWith(".test.mjs"))
          .sorted()
          .forEach(p -> command.add(p.toString()));
    }
    assertThat(command).as("test files in " + TESTS).hasSizeGreaterThan(2);
    Path output = Files.createTempFile("dashboard-node-tests", ".log");
    try {
      Process tests =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      if (!tests.waitFor(2, TimeUnit.MINUTES)) {
        tests.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        fail("node --test did not end within 2 minutes");
      }
      String text = Files.readString(output, StandardCharsets.UTF_8);
      assertThat(tests.exitValue()).as(text).isZero();
      assertThat(text).contains("# fail 0").doesNotContain("# pass 0");
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static String findNode() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, "node");
      if (!dir.isEmpty() && Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }
}
