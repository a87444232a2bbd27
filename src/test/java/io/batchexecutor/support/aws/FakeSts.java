package io.batchexecutor.support.aws;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** STS's GetCallerIdentity, in its query (XML) and JSON protocols: the tests' account. */
final class FakeSts {

  static final String ACCOUNT = FakeAwsEndpoint.ACCOUNT;

  private FakeSts() {}

  static boolean isQuery(String form) {
    return form.contains("Action=GetCallerIdentity");
  }

  static AwsAnswer queryAnswer() {
    return new AwsAnswer(
        200,
        "text/xml",
        ("<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                + "<GetCallerIdentityResult><Arn>arn:aws:iam::"
                + ACCOUNT
                + ":user/tester</Arn><UserId>AIDATESTER</UserId><Account>"
                + ACCOUNT
                + "</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>"
                + UUID.randomUUID()
                + "</RequestId></ResponseMetadata></GetCallerIdentityResponse>")
            .getBytes(StandardCharsets.UTF_8));
  }

  static AwsAnswer jsonAnswer() {
    return AwsAnswer.ok(
        AwsAnswer.JSON
            .createObjectNode()
            .put("Account", ACCOUNT)
            .put("Arn", "arn:aws:iam::" + ACCOUNT + ":user/tester")
            .put("UserId", "AIDATESTER"),
        "application/x-amz-json-1.0");
  }
}
