package io.batchexecutor.task;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * {@code batch_executor_tasks{status=...}}: how many tasks the database holds in each status, of
 * every client and instance. Counted at most every 10 seconds however often the metrics are
 * scraped, in one query whose cost is the tasks in flight (a partial index) and a few counter rows
 * per client (the finished totals), never the history: see {@link TaskQueries#countByStatus()}.
 */
@Component
public class TaskMetrics implements MeterBinder {

  static final String TASKS_GAUGE = "batch.executor.tasks";
  private static final Duration FRESH_FOR = Duration.ofSeconds(10);

  private final TaskQueries tasks;
  private final Clock clock;
  private Map<TaskStatus, Long> counts = Map.of();
  private Instant countedAt = Instant.MIN;

  public TaskMetrics(TaskQueries tasks, Clock clock) {
    this.tasks = tasks;
    this.clock = clock;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (TaskStatus status : TaskStatus.values()) {
      Gauge.builder(TASKS_GAUGE, this, m -> m.count(status))
          .description("Tasks in each status")
          .tag("status", status.name())
          .register(registry);
    }
  }

  private synchronized double count(TaskStatus status) {
    Instant now = clock.instant();
    if (!now.isBefore(countedAt.plus(FRESH_FOR))) {
      countedAt = now;
      try {
        counts = tasks.countByStatus();
      } catch (RuntimeException e) {
        counts = null; // the database does not answer: no number rather than a stale one
      }
    }
    return counts == null ? Double.NaN : counts.getOrDefault(status, 0L);
  }
}
