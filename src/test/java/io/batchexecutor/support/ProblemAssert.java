package io.batchexecutor.support;

import static org.assertj.core.api.Assertions.assertThat;

import tools.jackson.databind.JsonNode;

/** Asserts that an answer is an RFC 9457 problem of one kind, with no stack trace in it. */
public final class ProblemAssert {

  private static final String PREFIX = "urn:problem-type:batch-executor:";

  private ProblemAssert() {}

  public static void assertProblem(Api.Response response, int status, String kind) {
    assertThat(response.status()).as(response.text()).isEqualTo(status);
    assertThat(response.contentType()).startsWith("application/problem+json");
    JsonNode problem = response.json();
    assertThat(problem.get("type").asString()).isEqualTo(PREFIX + kind);
    assertThat(problem.get("status").asInt()).isEqualTo(status);
    assertThat(problem.get("title").asString()).isNotBlank();
    assertThat(response.text()).doesNotContain("Exception").doesNotContain("\tat ");
  }
}
