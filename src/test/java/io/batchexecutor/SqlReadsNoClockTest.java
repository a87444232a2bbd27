package io.batchexecutor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No SQL of the service reads PostgreSQL's clock: every time a statement compares or stores comes
 * from the service's {@code Clock} as a parameter (docs/decisions.md, "One clock"), so that a test
 * can move it. Looks through the Java sources (where the statements are) and the migrations (a
 * column default would be a clock too).
 */
class SqlReadsNoClockTest {

  /** PostgreSQL's ways to read its clock, as SQL writes them. */
  static final Pattern DATABASE_CLOCK =
      Pattern.compile(
          "(?i)(?<![.\\w])(now\\s*\\(\\s*\\)|current_timestamp|localtimestamp"
              + "|clock_timestamp|statement_timestamp|transaction_timestamp)(?!\\w)");

  /** A Java method named {@code now()} declared, not SQL: {@code Instant now()}. */
  static final Pattern JAVA_DECLARATION = Pattern.compile("\\bInstant\\s+now\\s*\\(\\s*\\)");

  @Test
  void noStatementOrMigrationReadsTheDatabasesClock() {
    List<String> found = new ArrayList<>();
    scan(Path.of("src/main/java"), ".java", found);
    scan(Path.of("db/migration"), ".sql", found);

    assertThat(found).as("reads of the database's clock").isEmpty();
  }

  @Test
  void theCheckFindsWhatItLooksFor() {
    assertThat(DATABASE_CLOCK.matcher("WHERE lease_expires_at < now()").find()).isTrue();
    assertThat(DATABASE_CLOCK.matcher("DEFAULT CURRENT_TIMESTAMP,").find()).isTrue();
    assertThat(DATABASE_CLOCK.matcher("next_run_at <= clock_timestamp()").find()).isTrue();
    assertThat(DATABASE_CLOCK.matcher("Instant at = clock.instant();").find()).isFalse();
    assertThat(DATABASE_CLOCK.matcher("task.fail(reason, context.now());").find()).isFalse();
    assertThat(DATABASE_CLOCK.matcher("WHERE next_run_at <= :now").find()).isFalse();
  }

  private static void scan(Path root, String suffix, List<String> found) {
    assertThat(root).as("run from the project's directory").isDirectory();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(f -> f.toString().endsWith(suffix)).toList()) {
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
          String line = JAVA_DECLARATION.matcher(lines.get(i)).replaceAll("");
          if (DATABASE_CLOCK.matcher(line).find()) {
            found.add(file + ":" + (i + 1) + ": " + lines.get(i).strip());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
