package io.batchexecutor.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.toml.TomlMapper;

/**
 * Reads the {@code [executors.awsbatch]} section of a Covalent configuration file ({@code
 * covalent.conf}, TOML). The whole file is parsed as TOML, so the section may also be written with
 * dotted keys ({@code executors.awsbatch.vcpu = 2}) or as an inline table; other sections and keys
 * the section does not define are ignored. Numbers may also be given as quoted strings ({@code vcpu
 * = "4"}).
 */
public final class CovalentConfigFile {

  static final String SECTION = "executors.awsbatch";
  private static final TomlMapper TOML = TomlMapper.builder().build();

  private CovalentConfigFile() {}

  /**
   * The section's settings; keys it does not set stay {@code null}.
   *
   * @throws IllegalArgumentException if the file is not valid TOML (the message names the file and
   *     the line where the parser stopped) or a key holds a value of the wrong type
   * @throws UncheckedIOException if the file cannot be read
   */
  public static ExecutorSettings read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the Covalent configuration " + file, e);
    }
    Section values = new Section(section(parse(text, file), file), file);
    return new ExecutorSettings(
        values.string("credentials"),
        values.string("profile"),
        values.string("region"),
        values.string("cache_dir"),
        new TaskSettings(
            null,
            values.string("s3_bucket_name"),
            values.string("ecr_repo_name"),
            values.string("batch_job_definition_name"),
            values.string("batch_queue"),
            values.string("batch_execution_role_name"),
            values.string("batch_job_role_name"),
            values.string("batch_job_log_group_name"),
            values.number("vcpu"),
            values.number("memory"),
            values.integer("num_gpus"),
            values.integer("retry_attempts"),
            values.integer("time_limit"),
            values.integer("poll_freq"),
            null,
            null,
            null));
  }

  private static JsonNode parse(String text, Path file) {
    try {
      return TOML.readTree(text);
    } catch (JacksonException e) {
      TokenStreamLocation at = e.getLocation();
      int line = at == null ? -1 : at.getLineNr();
      int column = at == null ? -1 : at.getColumnNr();
      String[] lines = text.split("\\R", -1);
      boolean known = line >= 1 && line <= lines.length;
      String shown = known ? lines[line - 1].strip() : "";
      throw new IllegalArgumentException(
          file
              + (known ? ":" + line : "")
              + ": not valid TOML ("
              + e.getOriginalMessage()
              + (known && column >= 1 ? " at column " + column : "")
              + ")"
              + (shown.isEmpty() ? "" : ": " + shown),
          e);
    }
  }

  /** The section's table, or an empty one when the file has no such section. */
  private static JsonNode section(JsonNode root, Path file) {
    JsonNode section = root.path("executors").path("awsbatch");
    if (section.isMissingNode()) {
      return TOML.createObjectNode();
    }
    if (!section.isObject()) {
      throw new IllegalArgumentException(file + ": " + SECTION + " is not a table: " + section);
    }
    return section;
  }

  /** The section's values, converted to what each key holds. */
  private record Section(JsonNode values, Path file) {

    /** A string; a number or boolean is taken as its text. */
    String string(String key) {
      JsonNode value = values.get(key);
      if (value == null) {
        return null;
      }
      if (!value.isValueNode()) {
        throw wrongType(key, "a string", value, null);
      }
      return value.asString();
    }

    /** A number, or a string that reads as one. */
    Double number(String key) {
      JsonNode value = values.get(key);
      if (value == null) {
        return null;
      }
      if (value.isNumber()) {
        return value.doubleValue();
      }
      if (value.isString()) {
        try {
          return Double.valueOf(value.asString().strip());
        } catch (NumberFormatException e) {
          throw wrongType(key, "a number", value, e);
        }
      }
      throw wrongType(key, "a number", value, null);
    }

    /** A whole number that fits an {@code int}, or a string that reads as one. */
    Integer integer(String key) {
      JsonNode value = values.get(key);
      if (value == null) {
        return null;
      }
      if (value.isIntegralNumber() && value.canConvertToInt()) {
        return value.intValue();
      }
      if (value.isString()) {
        try {
          return Integer.valueOf(value.asString().strip());
        } catch (NumberFormatException e) {
          throw wrongType(key, "a whole number", value, e);
        }
      }
      throw wrongType(key, "a whole number", value, null);
    }

    private IllegalArgumentException wrongType(
        String key, String expected, JsonNode value, Exception cause) {
      String shown = value.isValueNode() ? value.asString() : value.toString();
      return new IllegalArgumentException(
          file + ": " + key + " is not " + expected + ": " + shown, cause);
    }
  }
}
