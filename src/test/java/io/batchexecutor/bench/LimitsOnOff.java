package io.batchexecutor.bench;

import io.batchexecutor.support.Api;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What the client's submission limits cost on the accept path: two packaged services, API-only,
 * each on its own embedded database, one with every submission limit off ({@code 0}), the other
 * with them on but set too high to refuse (so every check runs: the token bucket, the runs, the
 * estimate of the client's unfinished tasks, recounted once a second). The same load drives them in
 * turn, window after window, so that both meet the same machine. Every accepted task stays QUEUED
 * (no pipeline): the count of unfinished tasks grows window by window, to more than a client's
 * default limit (10,000) allows, which makes the later windows the dearer side of what the check
 * can cost.
 *
 * <pre>./mvnw -DskipTests package exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.batchexecutor.bench.AcceptRateBenchmark -Dbench.phases=limits \
 *   [-Dbench.warmup=5 -Dbench.seconds=10 -Dbench.windows=2]</pre>
 */
final class LimitsOnOff {

  private LimitsOnOff() {}

  private static final String LIMITS = "batch-executor.client-defaults.";

  static void run(
      AcceptRateBenchmark.Generator generator,
      int connections,
      int warmup,
      int seconds,
      int windows)
      throws Exception {
    String apiOnly = "batch-executor.pipeline.enabled=false";
    String none = "batch-executor.backend=none";
    try (BenchService off =
            BenchService.startPackagedLoggingTo(
                Path.of("target", "service-limits-off.log"),
                apiOnly,
                none,
                LIMITS + "max-unfinished-tasks=0",
                LIMITS + "submissions-per-second=0",
                LIMITS + "max-runs-per-request=0");
        BenchService on =
            BenchService.startPackagedLoggingTo(
                Path.of("target", "service-limits-on.log"),
                apiOnly,
                none,
                LIMITS + "max-unfinished-tasks=100000000",
                LIMITS + "submissions-per-second=1000000",
                LIMITS + "submission-burst=1000000")) {
      generator.drive(off.port, connections, warmup);
      generator.drive(on.port, connections, warmup);
      System.out.printf(
          Locale.ROOT,
          "submission limits: two packaged services, API-only, %d connections, after a %d s"
              + " warm-up each; %d windows of %d s each, off and on in turn%n",
          connections,
          warmup,
          windows,
          seconds);
      long[] accepted = new long[2];
      long[] refused = new long[2];
      for (int w = 1; w <= windows; w++) {
        int side = 0;
        for (BenchService service : new BenchService[] {off, on}) {
          AcceptRateBenchmark.Load load = generator.drive(service.port, connections, seconds);
          accepted[side] += load.accepted();
          refused[side] += load.refused();
          System.out.printf(
              Locale.ROOT,
              "  %d limits %-3s  %6.0f accepted/s  p50 %5.1f  p99 %6.1f ms  non-2xx %d"
                  + "  unfinished %d%n",
              w,
              side == 0 ? "off" : "on",
              load.accepted() / (double) seconds,
              load.p50() / 1e6,
              load.p99() / 1e6,
              load.refused(),
              unfinished(service));
          side++;
        }
      }
      double offRate = accepted[0] / (double) (windows * seconds);
      double onRate = accepted[1] / (double) (windows * seconds);
      System.out.printf(
          Locale.ROOT,
          "  limits off %8.0f accepted/s, on %8.0f accepted/s (%.2f of off); non-2xx %d / %d%n",
          offRate,
          onRate,
          onRate / offRate,
          refused[0],
          refused[1]);
    }
  }

  /** The tester's unfinished tasks, as {@code /api/v1/usage} tells it. */
  private static long unfinished(BenchService service) {
    return new Api(service.port)
        .get("/api/v1/usage")
        .json()
        .at("/clients/0/usage/unfinished_tasks")
        .asLong();
  }
}
