package io.batchexecutor.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OperatorTokenTest {

  @TempDir Path dir;

  private final ApiTokens clients =
      ApiTokens.of(List.of("alice=alice-token-123456"), Path.of("unused"), sink());

  @Test
  void theConfiguredTokenIsTheOperatorsAndNoOther() {
    OperatorToken operator =
        OperatorToken.of("operator-token-1234567", dir.resolve("o"), clients, sink());

    assertThat(operator.matches("operator-token-1234567")).isTrue();
    assertThat(operator.matches("operator-token-123456")).isFalse();
    assertThat(operator.matches("alice-token-123456")).isFalse();
    assertThat(Files.exists(dir.resolve("o"))).as("nothing generated").isFalse();
  }

  @Test
  void aShortTokenOrAClientsTokenStopsStartUpWithoutShowingIt() {
    assertThatThrownBy(() -> OperatorToken.of("short-one", dir.resolve("o"), clients, sink()))
        .hasMessageContaining("shorter than 16")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("short-one"));
    assertThatThrownBy(
            () -> OperatorToken.of("alice-token-123456", dir.resolve("o"), clients, sink()))
        .hasMessageContaining("also a client's token")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("alice-token"));
  }

  @Test
  void withoutOneATokenIsMadeKeptOwnerOnlyAndNeverPrinted() throws Exception {
    Path file = dir.resolve("operator-token");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    OperatorToken made =
        OperatorToken.of(
            null, file, clients, new PrintStream(console, true, StandardCharsets.UTF_8));
    String token = Files.readString(file).strip();

    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(token).hasSizeGreaterThanOrEqualTo(40);
    assertThat(made.matches(token)).isTrue();
    assertThat(console.toString(StandardCharsets.UTF_8))
        .contains(file.toString())
        .doesNotContain(token);
    assertThat(clients.clientFor(token)).isEmpty();

    OperatorToken again = OperatorToken.of(" ", file, clients, sink());
    assertThat(again.matches(token)).as("the kept token, read again").isTrue();
    assertThat(Files.exists(dir.resolve("operator-token.tmp"))).isFalse();
  }

  private static PrintStream sink() {
    return new PrintStream(OutputStream.nullOutputStream());
  }
}
