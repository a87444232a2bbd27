package io.batchexecutor.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the {@code [executors.awsbatch]} section of a Covalent configuration file ({@code
 * covalent.conf}, TOML). Only what that section uses is understood: {@code key = value} lines with
 * quoted strings, numbers and booleans; other sections are skipped.
 */
public final class CovalentConfigFile {

  static final String SECTION = "executors.awsbatch";
  private static final Set<String> KNOWN_KEYS =
      Set.of(
          "credentials",
          "profile",
          "region",
          "cache_dir",
          "s3_bucket_name",
          "ecr_repo_name",
          "batch_job_definition_name",
          "batch_queue",
          "batch_execution_role_name",
          "batch_job_role_name",
          "batch_job_log_group_name",
          "vcpu",
          "memory",
          "num_gpus",
          "retry_attempts",
          "time_limit",
          "poll_freq");

  private CovalentConfigFile() {}

  /** The section's settings; keys it does not set stay {@code null}. */
  public static ExecutorSettings read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the Covalent configuration " + file, e);
    }
    Map<String, String> values = section(lines, file);
    return new ExecutorSettings(
        values.get("credentials"),
        values.get("profile"),
        values.get("region"),
        values.get("cache_dir"),
        new TaskSettings(
            values.get("s3_bucket_name"),
            values.get("ecr_repo_name"),
            values.get("batch_job_definition_name"),
            values.get("batch_queue"),
            values.get("batch_execution_role_name"),
            values.get("batch_job_role_name"),
            values.get("batch_job_log_group_name"),
            number(values, "vcpu", file),
            number(values, "memory", file),
            integer(values, "num_gpus", file),
            integer(values, "retry_attempts", file),
            integer(values, "time_limit", file),
            integer(values, "poll_freq", file)));
  }

  private static Map<String, String> section(List<String> lines, Path file) {
    Map<String, String> values = new HashMap<>();
    boolean inSection = false;
    for (int i = 0; i < lines.size(); i++) {
      String line = stripComment(lines.get(i)).strip();
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("[")) {
        inSection = line.replace(" ", "").equals("[" + SECTION + "]");
        continue;
      }
      int eq = line.indexOf('=');
      if (!inSection || eq < 0) {
        continue;
      }
      String key = line.substring(0, eq).strip();
      if (!KNOWN_KEYS.contains(key)) {
        continue;
      }
      values.put(key, unquote(line.substring(eq + 1).strip(), file, i + 1));
    }
    return values;
  }

  private static String stripComment(String line) {
    boolean quoted = false;
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted && c == quote) {
        quoted = false;
      } else if (!quoted && (c == '"' || c == '\'')) {
        quoted = true;
        quote = c;
      } else if (!quoted && c == '#') {
        return line.substring(0, i);
      }
    }
    return line;
  }

  private static String unquote(String raw, Path file, int lineNumber) {
    if (raw.length() >= 2
        && (raw.startsWith("\"") && raw.endsWith("\"")
            || raw.startsWith("'") && raw.endsWith("'"))) {
      return raw.substring(1, raw.length() - 1);
    }
    if (raw.isEmpty()) {
      throw new IllegalArgumentException(file + ":" + lineNumber + ": a key without a value");
    }
    return raw;
  }

  private static Double number(Map<String, String> values, String key, Path file) {
    String value = values.get(key);
    try {
      return value == null ? null : Double.valueOf(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(file + ": " + key + " is not a number: " + value, e);
    }
  }

  private static Integer integer(Map<String, String> values, String key, Path file) {
    String value = values.get(key);
    try {
      return value == null ? null : Integer.valueOf(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(file + ": " + key + " is not a whole number: " + value, e);
    }
  }
}
