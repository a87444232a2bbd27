package io.batchexecutor.backend.awsbatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.batch.model.ContainerProperties;
import software.amazon.awssdk.services.batch.model.RegisterJobDefinitionRequest;

/** The AWS clean-up: only old revisions no task uses go; a lifecycle policy only where none is. */
class CleanUpAwsTest {

  static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

  final FakeBatch batch = new FakeBatch();
  final FakeEcr ecr = new FakeEcr("127.0.0.1:5000");

  /** When the last task using each revision ended (null: one has not ended). */
  final Map<String, Instant> lastUse = new java.util.HashMap<>();

  final CleanUpAws.Definitions definitions =
      new CleanUpAws.Definitions() {
        @Override
        public Set<String> referenced(Collection<String> arns) {
          Set<String> found = new HashSet<>(arns);
          found.retainAll(lastUse.keySet());
          return found;
        }

        @Override
        public Set<String> inUseSince(Collection<String> arns, Instant since) {
          Set<String> found = new HashSet<>();
          for (String arn : arns) {
            if (lastUse.containsKey(arn)
                && (lastUse.get(arn) == null || lastUse.get(arn).isAfter(since))) {
              found.add(arn);
            }
          }
          return found;
        }
      };

  final CleanUpAws cleanUp =
      new CleanUpAws(
          batch,
          ecr,
          definitions,
          () -> List.of("jobs"),
          () -> List.of("images", "operators-images"),
          Clock.fixed(NOW, ZoneOffset.UTC),
          Duration.ofDays(7),
          Duration.ofDays(90));

  @Test
  void onlyRevisionsNoTaskHasUsedSinceTheMinimumAgeAreDeregistered() {
    String old = register("jobs", true);
    String recent = register("jobs", true);
    String running = register("jobs", true);
    String unknown = register("jobs", true);
    String notOurs = register("jobs", false);
    lastUse.put(old, NOW.minus(Duration.ofDays(8)));
    lastUse.put(recent, NOW.minus(Duration.ofDays(1)));
    lastUse.put(running, null);
    lastUse.put(notOurs, NOW.minus(Duration.ofDays(30)));

    CleanUpAws.Done done = cleanUp.once();

    assertThat(batch.deregistered).containsExactly(old);
    assertThat(done.deregistered()).isEqualTo(1);
    assertThat(List.of(recent, running, unknown, notOurs))
        .doesNotContainAnyElementsOf(batch.deregistered);
    assertThat(cleanUp.once().deregistered()).as("an INACTIVE revision is not looked at").isZero();
  }

  @Test
  void aLifecyclePolicyIsSetOnceAndNeverOverAnExistingOne() {
    ecr.lifecyclePolicies.put("operators-images", "{\"rules\":[]}");

    assertThat(cleanUp.once().policiesSet()).isEqualTo(1);
    assertThat(cleanUp.once().policiesSet()).isZero();

    assertThat(ecr.lifecyclePolicies.get("operators-images")).isEqualTo("{\"rules\":[]}");
    assertThat(ecr.lifecyclePolicies.get("images"))
        .contains("\"tagStatus\":\"untagged\"")
        .contains("\"countNumber\":90");
    assertThat(CleanUpAws.policy(Duration.ZERO)).doesNotContain("\"tagStatus\":\"any\"");
  }

  private String register(String family, boolean ours) {
    RegisterJobDefinitionRequest.Builder request =
        RegisterJobDefinitionRequest.builder()
            .jobDefinitionName(family)
            .containerProperties(ContainerProperties.builder().image("i").build());
    if (ours) {
      request.tags(Map.of(JobDefinitions.FINGERPRINT_TAG, "f"));
    }
    return batch.registerJobDefinition(request.build()).jobDefinitionArn();
  }
}
