package io.batchexecutor.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiTokensTest {

  @TempDir Path dir;

  @Test
  void configuredPairsNameTheirClients() {
    ApiTokens tokens =
        ApiTokens.of(
            List.of("alice=alice-token-123456", "bob=bob-token-1234567"), dir.resolve("t"), sink());

    assertThat(tokens.clientFor("alice-token-123456")).contains("alice");
    assertThat(tokens.clientFor("bob-token-1234567")).contains("bob");
    assertThat(tokens.clientFor("alice-token-12345")).isEmpty();
    assertThat(tokens.clientFor("")).isEmpty();
    assertThat(Files.exists(dir.resolve("t"))).as("nothing generated").isFalse();
  }

  @Test
  void badPairsStopStartUpWithoutShowingTheToken() {
    assertThatThrownBy(() -> ApiTokens.of(List.of("alice"), dir.resolve("t"), sink()))
        .hasMessageContaining("client=token");
    assertThatThrownBy(() -> ApiTokens.of(List.of("alice=short"), dir.resolve("t"), sink()))
        .hasMessageContaining("shorter than 16")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("short\""));
    assertThatThrownBy(
            () -> ApiTokens.of(List.of("Alice=alice-token-123456"), dir.resolve("t"), sink()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("batch-executor.security.tokens: 'Alice' is not a valid name");
  }

  @Test
  void withoutTokensOneIsMadeKeptOwnerOnlyAndShownOnce() throws Exception {
    Path file = dir.resolve("api-token");
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    ApiTokens made =
        ApiTokens.of(List.of(), file, new PrintStream(first, true, StandardCharsets.UTF_8));
    String token = Files.readString(file).strip();

    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(first.toString(StandardCharsets.UTF_8)).contains(token);
    assertThat(made.clientFor(token)).contains("default");

    ByteArrayOutputStream second = new ByteArrayOutputStream();
    ApiTokens again =
        ApiTokens.of(List.of(), file, new PrintStream(second, true, StandardCharsets.UTF_8));
    assertThat(again.clientFor(token)).contains("default");
    assertThat(second.toString(StandardCharsets.UTF_8))
        .doesNotContain(token)
        .contains(file.toString());
  }

  private static PrintStream sink() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }
}
