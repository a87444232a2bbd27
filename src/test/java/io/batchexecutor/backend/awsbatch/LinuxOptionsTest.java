package io.batchexecutor.backend.awsbatch;

import static io.batchexecutor.backend.awsbatch.AwsBatchStepsTest.CONTEXT;
import static io.batchexecutor.backend.awsbatch.AwsBatchStepsTest.registering;
import static io.batchexecutor.backend.awsbatch.AwsBatchStepsTest.settings;
import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.config.TenancyProperties;
import io.batchexecutor.task.Task;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.batch.model.ContainerProperties;

/** A profile's shared memory, tmpfs, ulimits and EFS volumes in its job definitions. */
class LinuxOptionsTest {

  final FakeBatch batch = new FakeBatch();
  final AwsAccount account = new AwsAccount(new AwsBatchStepsTest.FakeSts());

  @Test
  void aProfilesSharedMemoryTmpfsUlimitsAndEfsReachItsDefinitionsOnEc2() throws Exception {
    LinuxOptions options =
        parsed(
            new TenancyProperties.Linux(
                8192,
                List.of("/scratch:2048"),
                List.of("nofile=65536:65536"),
                List.of("fs-0123abcd:/data:ro")));
    Task task = registering(settings(2.0, 4.0, 0, "r", "e").withExecutionProfile("torch"));

    new RegisterJobDefinition(
            batch,
            batch,
            account,
            null,
            null,
            Clock.systemUTC(),
            null,
            null,
            Map.of("torch", options))
        .run(task, CONTEXT);

    ContainerProperties c = batch.registered.get(0).containerProperties();
    assertThat(c.linuxParameters().sharedMemorySize()).isEqualTo(8192);
    assertThat(c.linuxParameters().tmpfs().get(0).containerPath()).isEqualTo("/scratch");
    assertThat(c.linuxParameters().tmpfs().get(0).size()).isEqualTo(2048);
    assertThat(c.ulimits().get(0).name()).isEqualTo("nofile");
    assertThat(c.ulimits().get(0).hardLimit()).isEqualTo(65536);
    assertThat(c.volumes().get(0).efsVolumeConfiguration().fileSystemId()).isEqualTo("fs-0123abcd");
    assertThat(c.mountPoints().get(0).containerPath()).isEqualTo("/data");
    assertThat(c.mountPoints().get(0).readOnly()).isTrue();
  }

  @Test
  void onFargateOnlyTheEfsVolumesRemain() {
    LinuxOptions options =
        parsed(new TenancyProperties.Linux(8192, null, null, List.of("fs-0123abcd:/data")));
    ContainerProperties c = options.applyTo(ContainerProperties.builder().image("i").build(), true);

    assertThat(c.linuxParameters()).isNull();
    assertThat(c.volumes()).hasSize(1);
  }

  @Test
  void optionsAwsWouldRefuseAreNamedAtStartUp() {
    List<String> problems = new ArrayList<>();
    LinuxOptions.parse(
        "p.linux",
        new TenancyProperties.Linux(
            null, List.of("scratch"), List.of("files=1:2", "nofile=9:1"), List.of("/data")),
        problems);

    assertThat(problems)
        .hasSize(4)
        .anySatisfy(p -> assertThat(p).startsWith("p.linux.tmpfs[0]"))
        .anySatisfy(p -> assertThat(p).startsWith("p.linux.ulimits[0]"))
        .anySatisfy(p -> assertThat(p).startsWith("p.linux.ulimits[1]: soft must be at most hard"))
        .anySatisfy(p -> assertThat(p).startsWith("p.linux.efs[0]"));
  }

  private static LinuxOptions parsed(TenancyProperties.Linux linux) {
    List<String> problems = new ArrayList<>();
    LinuxOptions options = LinuxOptions.parse("p", linux, problems);
    assertThat(problems).isEmpty();
    return options;
  }
}
