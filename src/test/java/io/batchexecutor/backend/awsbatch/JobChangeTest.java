package io.batchexecutor.backend.awsbatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.TaskBuilder;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.batch.model.ArrayPropertiesDetail;
import software.amazon.awssdk.services.batch.model.AttemptContainerDetail;
import software.amazon.awssdk.services.batch.model.AttemptDetail;
import software.amazon.awssdk.services.batch.model.ContainerDetail;
import software.amazon.awssdk.services.batch.model.JobDetail;
import software.amazon.awssdk.services.batch.model.JobStatus;

/** What a DescribeJobs answer means for a task, without a database, S3 or Batch. */
class JobChangeTest {

  private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration WARNING = Duration.ofMinutes(15);

  private final Task task = submitted(TaskBuilder.aTask().backend("awsbatch").acceptedAt(AT));

  @Test
  void aJobNotShownYetIsNothingAndOneGoneForTenMinutesIsVanished() {
    assertThat(JobChange.of(task, null, AT.plusSeconds(60), WARNING).step())
        .isInstanceOf(JobChange.NotVisibleYet.class);
    JobChange gone = JobChange.of(task, null, AT.plus(Duration.ofMinutes(11)), WARNING);
    assertThat(gone.step())
        .isEqualTo(new JobChange.Vanished("AWS Batch no longer knows job job-1"));
  }

  @Test
  void aRunningJobIsObservedWithItsStatusReason() {
    JobChange change =
        JobChange.of(task, job(JobStatus.RUNNING).statusReason("placed").build(), AT, WARNING);
    assertThat(change.step()).isEqualTo(new JobChange.Waiting(TaskStatus.RUNNING, "placed", false));
    assertThat(change.attempts()).isEmpty();
  }

  @Test
  void aJobRunnableLongerThanTheWarningSaysWhatToCheck() {
    JobChange change =
        JobChange.of(
            task, job(JobStatus.RUNNABLE).build(), AT.plus(Duration.ofMinutes(20)), WARNING);
    JobChange.Waiting waiting = (JobChange.Waiting) change.step();
    assertThat(waiting.reason())
        .startsWith("RUNNABLE for 20 min: no compute environment of queue queue")
        .contains("2.0 vCPU, 3840 MiB");
  }

  @Test
  void aSucceededJobCarriesItsExitCodeAndLogStreamAndEveryNewAttempt() {
    JobDetail job =
        job(JobStatus.SUCCEEDED)
            .container(ContainerDetail.builder().exitCode(0).logStreamName("s/1").build())
            .attempts(
                AttemptDetail.builder()
                    .statusReason("Essential container in task exited")
                    .container(
                        AttemptContainerDetail.builder().exitCode(0).logStreamName("s/1").build())
                    .build())
            .build();
    JobChange change = JobChange.of(task, job, AT, WARNING);
    assertThat(change.step()).isEqualTo(new JobChange.Succeeded(0));
    assertThat(change.logStream()).isEqualTo("s/1");
    assertThat(change.attempts())
        .containsExactly(
            new JobChange.Attempt(
                1,
                Map.of(
                    "exit_code",
                    0,
                    "log_stream_name",
                    "s/1",
                    "status_reason",
                    "Essential container in task exited")));
  }

  @Test
  void aFailedJobNamesItsReasonsAndATimeoutItsLimit() {
    JobDetail failed =
        job(JobStatus.FAILED)
            .statusReason("Essential container in task exited")
            .container(ContainerDetail.builder().exitCode(1).reason("OutOfMemoryError").build())
            .build();
    assertThat(JobChange.of(task, failed, AT, WARNING).step())
        .isEqualTo(
            new JobChange.Failed(
                false,
                false,
                "BatchJobFailed",
                "the job FAILED: Essential container in task exited (OutOfMemoryError, exit code"
                    + " 1)",
                1));
    JobDetail timedOut =
        job(JobStatus.FAILED).statusReason("Job attempt duration exceeded timeout").build();
    JobChange.Failed f = (JobChange.Failed) JobChange.of(task, timedOut, AT, WARNING).step();
    assertThat(f.errorType()).isEqualTo("TimeLimitExceeded");
    assertThat(f.reason()).startsWith("time limit of 300 s exceeded");
  }

  @Test
  void aRunningSweepShowsItsCountsAsProgress() {
    Task sweep =
        submitted(
            TaskBuilder.aTask()
                .backend("awsbatch")
                .sweep(Map.of("C", List.of(1, 2, 3)))
                .acceptedAt(AT));
    JobDetail job =
        job(JobStatus.SUBMITTED)
            .arrayProperties(
                ArrayPropertiesDetail.builder()
                    .statusSummary(Map.of("SUCCEEDED", 1, "RUNNING", 2))
                    .build())
            .build();
    assertThat(JobChange.of(sweep, job, AT, WARNING).step())
        .isEqualTo(
            new JobChange.Waiting(
                TaskStatus.SUBMITTED, "running 3 combinations: 1 succeeded, 2 running", true));
  }

  @Test
  void aJobRetriedAfterItsHostWentAwaySaysSoAndTheAttemptIsMarked() {
    JobDetail job =
        job(JobStatus.RUNNABLE)
            .attempts(
                AttemptDetail.builder().statusReason("Host EC2 (instance i-2) terminated.").build())
            .build();
    JobChange change = JobChange.of(task, job, AT, WARNING);
    assertThat(((JobChange.Waiting) change.step()).reason())
        .isEqualTo(
            "retrying: attempt 1 lost its host (Host EC2 (instance i-2) terminated.; a Spot"
                + " reclaim or a lost instance); AWS Batch: RUNNABLE");
    assertThat(change.attempts().get(0).details()).containsEntry("host_terminated", true);
  }

  @Test
  void aJobWhoseLastAttemptLostItsHostFailsAsHostTerminated() {
    AttemptDetail lost =
        AttemptDetail.builder().statusReason("Host EC2 (instance i-3) terminated.").build();
    JobDetail job =
        job(JobStatus.FAILED)
            .statusReason("Host EC2 (instance i-3) terminated.")
            .attempts(lost, lost, lost)
            .build();
    JobChange.Failed f = (JobChange.Failed) JobChange.of(task, job, AT, WARNING).step();
    assertThat(f.errorType()).isEqualTo("HostTerminated");
    assertThat(f.reason())
        .contains("host was terminated on the last of 3 attempts")
        .contains("Spot reclaim")
        .contains("retry_attempts");
  }

  @Test
  void onlyAttemptsTheTaskHasNotRecordedAreNew() {
    task.attemptStarted(1, Map.of(), AT);
    JobDetail job =
        job(JobStatus.RUNNING)
            .attempts(
                AttemptDetail.builder().statusReason("first").build(),
                AttemptDetail.builder().statusReason("second").build())
            .build();
    assertThat(JobChange.of(task, job, AT, WARNING).attempts())
        .containsExactly(new JobChange.Attempt(2, Map.of("status_reason", "second")));
  }

  private static JobDetail.Builder job(JobStatus status) {
    return JobDetail.builder()
        .jobId("job-1")
        .jobName("n")
        .status(status)
        .createdAt(AT.toEpochMilli());
  }

  private static Task submitted(TaskBuilder builder) {
    Task task = builder.build();
    task.startBuilding(AT);
    task.imageBuilt("batch-executor-task:x", true, AT);
    task.startPushing(AT);
    task.imagePushed("repo:x", true, AT);
    task.startRegistering(AT);
    task.registered("arn:aws:batch:us-east-1:123456789012:job-definition/defs:1", AT);
    task.submittedAsJob("job-1", "AWS Batch", AT);
    return task;
  }
}
