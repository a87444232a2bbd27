package io.batchexecutor.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.BatchExecutorApplication;
import io.batchexecutor.support.Api;
import io.batchexecutor.support.TestDatabase;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A jqwik property: generated bodies thrown at {@code POST /api/v1/tasks} — wrong types, huge
 * numbers, deep nesting, unicode in names, NaN and Infinity, nulls everywhere. Every answer is a
 * 202 or a 4xx problem document — never a 5xx — and a body leaves exactly one task behind when it
 * is accepted and none when it is refused. A failing body is shrunk to the smallest that fails. The
 * service runs once for all tries, started here (jqwik has no Spring test support).
 */
class HostileInputTest {

  static ConfigurableApplicationContext service;
  static Api api;
  static JdbcClient jdbc;

  @BeforeContainer
  static void startService() {
    service =
        new SpringApplicationBuilder(BatchExecutorApplication.class, TestDatabase.Cleanup.class)
            .profiles("test")
            .initializers(new TestDatabase())
            .properties("server.port=0", "server.address=127.0.0.1")
            .run();
    api = new Api(service.getEnvironment().getRequiredProperty("local.server.port", Integer.class));
    jdbc = service.getBean(JdbcClient.class);
  }

  @AfterContainer
  static void stopService() {
    if (service != null) {
      service.close();
    }
  }

  @Property(tries = 400)
  void everyBodyIsAcceptedOrRefusedCleanly(@ForAll("bodies") String body) {
    long before = tasks();

    Api.Response response = api.post("/api/v1/tasks", body);

    Statistics.collect(response.status() == 202 ? "accepted" : "refused");
    assertThat(response.status()).as("never a server error for %s", body).isLessThan(500);
    if (response.status() == 202) {
      assertThat(response.json().get("status").asString()).isEqualTo("QUEUED");
      assertThat(tasks() - before).as("one task per 202").isEqualTo(1);
    } else {
      assertThat(response.status()).as(body).isBetween(400, 499);
      assertThat(response.contentType()).as(body).startsWith("application/problem+json");
      assertThat(response.json().get("type").asString()).startsWith(Problems.PREFIX);
      assertThat(response.text()).doesNotContain("Exception").doesNotContain("\tat ");
      assertThat(tasks() - before).as("nothing half-stored for a refused body").isZero();
    }
    Statistics.coverage(
        coverage -> coverage.check("accepted").count(n -> n > 0)); // valid tasks are generated too
  }

  @Provide
  Arbitrary<String> bodies() {
    return body();
  }

  private static long tasks() {
    return jdbc.sql("SELECT count(*) FROM task").query(Long.class).single();
  }

  // ---- generators ------------------------------------------------------------------------------

  static Arbitrary<String> body() {
    return Arbitraries.oneOf(
        validTask(),
        validishTask(),
        anyJson(4),
        Arbitraries.integers().between(1, 3000).map(HostileInputTest::deeplyNested),
        Arbitraries.strings().ofMaxLength(200));
  }

  /** A valid task with generated unicode names, arguments and keyword arguments. */
  static Arbitrary<String> validTask() {
    Arbitrary<String> name =
        Arbitraries.strings()
            .alpha()
            .numeric()
            .withChars('ü', 'é', '中', '-', ' ', '🙂')
            .ofMaxLength(40);
    Arbitrary<String> kwargs =
        Combinators.combine(
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(8),
                anyJson(2))
            .as((k, v) -> string(k) + ": " + v)
            .list()
            .uniqueElements(kv -> kv.substring(0, kv.indexOf(':')))
            .ofMaxSize(3)
            .filter(
                l ->
                    l.stream()
                        .noneMatch(
                            kv ->
                                kv.matches(
                                    "\"(and|as|assert|async|await|break|class|continue|def|del|elif|else|except|finally|for|from|global|if|import|in|is|lambda|nonlocal|not|or|pass|raise|return|try|while|with|yield)\".*")))
            .map(l -> "{" + String.join(", ", l) + "}");
    Arbitrary<String> args =
        anyJson(2).list().ofMaxSize(4).map(l -> "[" + String.join(", ", l) + "]");
    return Combinators.combine(name, args, kwargs)
        .as(
            (n, a, k) ->
                "{\"name\": "
                    + string(n)
                    + ", \"function\": {\"source\": \"def task(*a, **k):\\n    return 1\\n\","
                    + " \"name\": \"task\"}, \"args\": "
                    + a
                    + ", \"kwargs\": "
                    + k
                    + "}");
  }

  /** A task-shaped object whose fields are sometimes right and sometimes anything at all. */
  static Arbitrary<String> validishTask() {
    Arbitrary<String> name =
        Arbitraries.oneOf(Arbitraries.just("\"task\""), quoted(identifierish()), anyJson(2));
    Arbitrary<String> function =
        Arbitraries.oneOf(
            Combinators.combine(
                    quoted(Arbitraries.just("def task(*a, **k):\\n    return 1\\n")), name)
                .as((src, n) -> "{\"source\": " + src + ", \"name\": " + n + "}"),
            anyJson(3));
    Arbitrary<String> executor =
        Arbitraries.oneOf(
            Arbitraries.just("{}"),
            Combinators.combine(
                    Arbitraries.of(
                        "vcpu",
                        "memory",
                        "num_gpus",
                        "retry_attempts",
                        "time_limit",
                        "poll_freq",
                        "batch_queue",
                        "s3_bucket_name",
                        "credentials",
                        "region",
                        "vcpus",
                        "ü"),
                    scalar())
                .as((k, v) -> "{\"" + k + "\": " + v + "}"),
            anyJson(2));
    Arbitrary<String> kwargs =
        Arbitraries.oneOf(
            Arbitraries.just("{}"),
            Combinators.combine(identifierish(), anyJson(2))
                .as((k, v) -> "{" + string(k) + ": " + v + "}"),
            anyJson(2));
    return Combinators.combine(function, anyJson(2), kwargs, executor, anyJson(1))
        .as(
            (f, args, kw, ex, name2) ->
                "{\"name\": "
                    + name2
                    + ", \"function\": "
                    + f
                    + ", \"args\": "
                    + args
                    + ", \"kwargs\": "
                    + kw
                    + ", \"executor\": "
                    + ex
                    + "}");
  }

  static Arbitrary<String> anyJson(int depth) {
    if (depth <= 0) {
      return scalar();
    }
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, scalar()),
        net.jqwik.api.Tuple.of(
            1, anyJson(depth - 1).list().ofMaxSize(4).map(l -> "[" + String.join(", ", l) + "]")),
        net.jqwik.api.Tuple.of(
            1,
            Combinators.combine(identifierish(), anyJson(depth - 1))
                .as((k, v) -> string(k) + ": " + v)
                .list()
                .ofMaxSize(4)
                .map(l -> "{" + String.join(", ", l) + "}")));
  }

  static Arbitrary<String> scalar() {
    return Arbitraries.oneOf(
        Arbitraries.just("null"),
        Arbitraries.of("true", "false", "NaN", "Infinity", "-Infinity", "1e400", "-0", "0.0000001"),
        Arbitraries.integers().map(String::valueOf),
        Arbitraries.longs().map(l -> l + "999999999999"),
        Arbitraries.doubles()
            .map(String::valueOf)
            .filter(d -> !d.contains("N") && !d.contains("I")),
        quoted(Arbitraries.strings().all().ofMaxLength(20)));
  }

  static Arbitrary<String> identifierish() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(10),
        Arbitraries.strings().all().ofMaxLength(12),
        Arbitraries.of(
            "__import__", "../etc/passwd", "a b", "é", "x\u0000y", "class", "os.system"));
  }

  static Arbitrary<String> quoted(Arbitrary<String> text) {
    return text.map(HostileInputTest::string);
  }

  static String string(String raw) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : raw.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || Character.isSurrogate(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  static String deeplyNested(int depth) {
    return "{\"function\": " + "[".repeat(depth) + "]".repeat(depth) + "}";
  }
}
