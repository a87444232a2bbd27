package io.batchexecutor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CovalentConfigFileTest {

  @TempDir Path dir;
  private int files;

  @Test
  void readsEveryKeyOfTheSection() throws IOException {
    ExecutorSettings s =
        read(
            """
            [executors.awsbatch]
            credentials = "/home/u/.aws/credentials"
            profile = "default"
            region = "us-east-1"
            cache_dir = "/tmp/covalent"
            s3_bucket_name = "bucket"
            ecr_repo_name = "repo"
            batch_job_definition_name = "jobs"
            batch_queue = "queue"
            batch_execution_role_name = "ecsTaskExecutionRole"
            batch_job_role_name = "CovalentBatchJobRole"
            batch_job_log_group_name = "logs"
            vcpu = 2
            memory = 3.75
            num_gpus = 0
            retry_attempts = 3
            time_limit = 300
            poll_freq = 10
            """);

    assertThat(s)
        .isEqualTo(
            new ExecutorSettings(
                "/home/u/.aws/credentials",
                "default",
                "us-east-1",
                "/tmp/covalent",
                new TaskSettings(
                    null,
                    "bucket",
                    "repo",
                    "jobs",
                    "queue",
                    "ecsTaskExecutionRole",
                    "CovalentBatchJobRole",
                    "logs",
                    2.0,
                    3.75,
                    0,
                    3,
                    300,
                    10,
                    null,
                    null,
                    null)));
  }

  @Test
  void otherSectionsAndUnknownKeysAreIgnored() throws IOException {
    ExecutorSettings s =
        read(
            """
            [sdk]
            log_level = "warning"

            [executors.awsbatch]
            batch_queue = "queue"
            not_a_setting = [1, 2]

            [executors.awsbatch.extra]
            vcpu = 99

            [executors.dask]
            batch_queue = "other"
            """);

    assertThat(s.task().batchQueue()).isEqualTo("queue");
    assertThat(s.task().vcpu()).isNull();
  }

  @Test
  void aFileWithoutTheSectionSetsNothing() throws IOException {
    assertThat(read("[sdk]\nlog_level = \"warning\"\n")).isEqualTo(ExecutorSettings.none());
    assertThat(read("")).isEqualTo(ExecutorSettings.none());
  }

  @Test
  void stringsMayUseEscapesLiteralAndMultiLineForms() throws IOException {
    ExecutorSettings s =
        read(
            """
            [executors.awsbatch]
            credentials = "C:\\\\Users\\\\u\\\\.aws\\\\credentials"  # escaped backslashes
            profile = "caf\\u00e9 \\"quoted\\""
            cache_dir = 'C:\\tmp\\covalent # not a comment'
            region = \"""
            us-\\
              east-1\"""
            batch_queue = '''
            queue'''
            """);

    assertThat(s.credentials()).isEqualTo("C:\\Users\\u\\.aws\\credentials");
    assertThat(s.profile()).isEqualTo("café \"quoted\"");
    assertThat(s.cacheDir()).isEqualTo("C:\\tmp\\covalent # not a comment");
    assertThat(s.region()).isEqualTo("us-east-1");
    assertThat(s.task().batchQueue()).isEqualTo("queue");
  }

  @Test
  void theSectionMayBeWrittenWithDottedKeys() throws IOException {
    ExecutorSettings topLevel =
        read(
            """
            executors.awsbatch.vcpu = 4
            executors.awsbatch."batch_queue" = "dotted"
            """);
    ExecutorSettings underExecutors =
        read(
            """
            [executors]
            awsbatch.memory = 8
            awsbatch.time_limit = 600
            """);
    ExecutorSettings quotedHeader =
        read(
            """
            [ executors . "awsbatch" ]
            poll_freq = 5
            """);

    assertThat(topLevel.task().vcpu()).isEqualTo(4.0);
    assertThat(topLevel.task().batchQueue()).isEqualTo("dotted");
    assertThat(underExecutors.task().memory()).isEqualTo(8.0);
    assertThat(underExecutors.task().timeLimit()).isEqualTo(600);
    assertThat(quotedHeader.task().pollFreq()).isEqualTo(5);
  }

  @Test
  void theSectionMayBeAnInlineTable() throws IOException {
    ExecutorSettings s =
        read(
            """
            executors = { awsbatch = { vcpu = 1.5, num_gpus = 1, region = "eu-west-1" } }
            """);

    assertThat(s.task().vcpu()).isEqualTo(1.5);
    assertThat(s.task().numGpus()).isEqualTo(1);
    assertThat(s.region()).isEqualTo("eu-west-1");
  }

  @Test
  void numbersMayBeQuotedOrWrittenInAnyTomlForm() throws IOException {
    ExecutorSettings s =
        read(
            """
            [executors.awsbatch]
            vcpu = "4"
            memory = 1_024.5
            time_limit = 1_200
            poll_freq = 0x1E
            retry_attempts = "2"
            """);

    assertThat(s.task().vcpu()).isEqualTo(4.0);
    assertThat(s.task().memory()).isEqualTo(1024.5);
    assertThat(s.task().timeLimit()).isEqualTo(1200);
    assertThat(s.task().pollFreq()).isEqualTo(30);
    assertThat(s.task().retryAttempts()).isEqualTo(2);
  }

  @Test
  void aValueOfTheWrongTypeIsReportedWithTheFileAndKey() throws IOException {
    assertWrong("retry_attempts = \"many\"", "retry_attempts is not a whole number: many");
    assertWrong("time_limit = 3.5", "time_limit is not a whole number: 3.5");
    assertWrong("num_gpus = 99999999999", "num_gpus is not a whole number: 99999999999");
    assertWrong("vcpu = \"two\"", "vcpu is not a number: two");
    assertWrong("memory = true", "memory is not a number: true");
    assertWrong("region = [\"us-east-1\"]", "region is not a string: [\"us-east-1\"]");
  }

  @Test
  void theSectionMustBeATable() throws IOException {
    Path conf = write("[executors]\nawsbatch = \"yes\"\n");

    assertThatThrownBy(() -> CovalentConfigFile.read(conf))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(conf + ": executors.awsbatch is not a table: \"yes\"");
  }

  @Test
  void aFileThatIsNotTomlIsReportedWithTheFileAndLine() throws IOException {
    Path bare = write("[executors.awsbatch]\nretry_attempts = many\n");
    Path unterminated = write("# covalent\n\n[executors.awsbatch]\nregion = \"us-east-1\n");
    Path duplicate = write("[executors.awsbatch]\nvcpu = 2\nvcpu = 3\n");

    assertThatThrownBy(() -> CovalentConfigFile.read(bare))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(bare + ":2: not valid TOML (")
        .hasMessageEndingWith("): retry_attempts = many");
    assertThatThrownBy(() -> CovalentConfigFile.read(unterminated))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(unterminated + ":4: not valid TOML (")
        .hasMessageEndingWith("): region = \"us-east-1");
    assertThatThrownBy(() -> CovalentConfigFile.read(duplicate))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(duplicate + ":")
        .hasMessageContaining("not valid TOML (Duplicate key");
  }

  @Test
  void aMissingFileIsReportedWithItsPath() {
    Path missing = dir.resolve("absent.conf");

    assertThatThrownBy(() -> CovalentConfigFile.read(missing))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessage("cannot read the Covalent configuration " + missing);
  }

  private void assertWrong(String line, String message) throws IOException {
    Path conf = write("[executors.awsbatch]\n" + line + "\n");

    assertThatThrownBy(() -> CovalentConfigFile.read(conf))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(conf + ": " + message);
  }

  private ExecutorSettings read(String toml) throws IOException {
    return CovalentConfigFile.read(write(toml));
  }

  private Path write(String toml) throws IOException {
    Path conf = dir.resolve("covalent-" + ++files + ".conf");
    Files.writeString(conf, toml);
    return conf;
  }
}
