package io.batchexecutor.config;

import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When two role settings name the same IAM role. A role is given by name ({@code Name}) or by ARN
 * ({@code arn:<partition>:iam::<account>:role/<path>Name}, the path being {@code /} or {@code
 * /a/b/}). A name stands for the role of that name at path {@code /} in the service's own account:
 * the ARN the service sends to AWS Batch for it.
 *
 * <p>Two values are the same role when both are names and equal; when both are ARNs and equal in
 * partition, account, path and name; and when one is a name and the other an ARN at path {@code /}
 * with that name in the service's own account, which is known only where the service talks to AWS
 * (otherwise they are taken as different). Names are compared exactly, case included: IAM refuses
 * two roles whose names differ only in case, but a policy's ARN is matched with case.
 */
public final class IamRoles {

  private static final Pattern ARN =
      Pattern.compile("^arn:([\\w-]+):iam::(\\d{12}):role(/(?:[\\w+=,.@-]+/)*)([\\w+=,.@-]+)$");

  /**
   * A role as its parts.
   *
   * @param partition the ARN's partition, {@code null} for a name
   * @param account the ARN's account, {@code null} for a name
   * @param path {@code /} or {@code /a/b/}
   * @param name the role's name
   */
  record Role(String partition, String account, String path, String name) {}

  private IamRoles() {}

  /**
   * Whether {@code a} and {@code b} name the same role.
   *
   * @param ownAccount the service's AWS account, when known (asked only when it matters)
   */
  public static boolean same(String a, String b, Supplier<Optional<String>> ownAccount) {
    Optional<Role> x = parse(a);
    Optional<Role> y = parse(b);
    if (x.isEmpty() || y.isEmpty()) {
      return false;
    }
    Role r = x.get();
    Role s = y.get();
    if (!r.name().equals(s.name()) || !r.path().equals(s.path())) {
      return false;
    }
    if (r.account() == null && s.account() == null) {
      return true;
    }
    if (r.account() != null && s.account() != null) {
      return r.account().equals(s.account()) && r.partition().equals(s.partition());
    }
    String arnAccount = r.account() != null ? r.account() : s.account();
    return ownAccount.get().map(arnAccount::equals).orElse(false);
  }

  /** {@code value} as a role, if it is a role name or a role ARN. */
  static Optional<Role> parse(String value) {
    if (value == null) {
      return Optional.empty();
    }
    if (!value.startsWith("arn:")) {
      return value.matches("^[\\w+=,.@-]{1,64}$")
          ? Optional.of(new Role(null, null, "/", value))
          : Optional.empty();
    }
    Matcher m = ARN.matcher(value);
    return m.matches()
        ? Optional.of(new Role(m.group(1), m.group(2), m.group(3), m.group(4)))
        : Optional.empty();
  }
}
