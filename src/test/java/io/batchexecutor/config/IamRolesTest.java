package io.batchexecutor.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** When two role settings name the same IAM role. */
class IamRolesTest {

  private static final Supplier<Optional<String>> OURS = () -> Optional.of("123456789012");
  private static final Supplier<Optional<String>> UNKNOWN = Optional::empty;

  @Test
  void namesAreTheSameWhenEqualCaseIncluded() {
    assertThat(IamRoles.same("JobRole", "JobRole", UNKNOWN)).isTrue();
    assertThat(IamRoles.same("JobRole", "jobrole", UNKNOWN)).isFalse();
    assertThat(IamRoles.same("JobRole", "OtherRole", UNKNOWN)).isFalse();
  }

  @Test
  void arnsAreTheSameWhenPartitionAccountPathAndNameAre() {
    String arn = "arn:aws:iam::123456789012:role/JobRole";
    assertThat(IamRoles.same(arn, arn, UNKNOWN)).isTrue();
    assertThat(IamRoles.same(arn, "arn:aws:iam::999999999999:role/JobRole", OURS)).isFalse();
    assertThat(IamRoles.same(arn, "arn:aws-cn:iam::123456789012:role/JobRole", OURS)).isFalse();
    assertThat(IamRoles.same("arn:aws:iam::123456789012:role/team/JobRole", arn, OURS))
        .as("another path is another ARN")
        .isFalse();
  }

  @Test
  void aNameIsTheRoleAtPathSlashInTheServicesOwnAccount() {
    String ours = "arn:aws:iam::123456789012:role/JobRole";
    assertThat(IamRoles.same(ours, "JobRole", OURS)).isTrue();
    assertThat(IamRoles.same("JobRole", ours, OURS)).isTrue();
    assertThat(IamRoles.same("arn:aws:iam::999999999999:role/JobRole", "JobRole", OURS))
        .as("another account's role of that name")
        .isFalse();
    assertThat(IamRoles.same("arn:aws:iam::123456789012:role/team/JobRole", "JobRole", OURS))
        .isFalse();
    assertThat(IamRoles.same(ours, "JobRole", UNKNOWN))
        .as("without the service's account the two cannot be told the same")
        .isFalse();
  }

  @Test
  void theAccountIsAskedOnlyWhenANameMeetsAnArn() {
    Supplier<Optional<String>> refuse =
        () -> {
          throw new AssertionError("the account was asked");
        };
    assertThat(IamRoles.same("JobRole", "JobRole", refuse)).isTrue();
    assertThat(IamRoles.same("JobRole", "Other", refuse)).isFalse();
  }

  @Test
  void whatIsNoRoleIsNeverTheSame() {
    assertThat(IamRoles.same("arn:aws:iam::123:role/JobRole", "JobRole", OURS)).isFalse();
    assertThat(IamRoles.same("arn:aws:s3:::bucket", "arn:aws:s3:::bucket", OURS)).isFalse();
  }
}
