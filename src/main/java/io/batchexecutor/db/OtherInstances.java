package io.batchexecutor.db;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The other instances connected to this instance's database right now, as their connections'
 * application names show them (see {@link ThisInstance}); an instance that stops or dies closes its
 * connections and is gone from the list. When this instance keeps results and output in a local
 * object store and another instance does not read the same directory, what a task produced is only
 * on the instance that ran it: that is logged as a warning when first seen, and shown in health.
 * Health stays UP: each instance still works, only the other's results are out of its reach.
 */
public class OtherInstances implements HealthIndicator {

  private static final Logger log = LoggerFactory.getLogger(OtherInstances.class);

  private final JdbcClient jdbc;
  private final ThisInstance self;
  private final boolean localStore;

  /** Every other instance seen at the last check, by key; null before the first. */
  private volatile Map<String, ThisInstance> seen;

  public OtherInstances(JdbcClient jdbc, ThisInstance self, boolean localStore) {
    this.jdbc = jdbc;
    this.self = self;
    this.localStore = localStore;
  }

  /**
   * Looks again; logs a warning when instances without this one's local object store appear, and a
   * line when they are gone. A database that does not answer leaves the last answer as it was.
   */
  public void check() {
    List<String> names;
    try {
      names =
          jdbc.sql(
                  """
                  SELECT DISTINCT application_name FROM pg_stat_activity
                  WHERE datname = current_database() AND application_name LIKE :prefix
                  """)
              .param("prefix", ThisInstance.PREFIX + "%")
              .query(String.class)
              .list();
    } catch (RuntimeException e) {
      log.debug("Could not look for other instances: {}", e.getMessage());
      return;
    }
    Map<String, ThisInstance> others = new TreeMap<>();
    for (String name : names) {
      ThisInstance.parse(name)
          .filter(other -> !other.key().equals(self.key()))
          .ifPresent(other -> others.putIfAbsent(other.key(), other));
    }
    int before = seen == null ? 0 : apart(seen).size();
    seen = others;
    List<ThisInstance> apart = apart(others);
    if (before == 0 && !apart.isEmpty()) {
      log.warn(
          "{} Seen: {}.",
          warning(apart.size()),
          String.join(", ", apart.stream().map(ThisInstance::label).toList()));
    } else if (before > 0 && apart.isEmpty()) {
      log.info("No other instance without this instance's object store uses the database now");
    }
  }

  /** The other instances that do not write to this instance's local object store. */
  private List<ThisInstance> apart(Map<String, ThisInstance> others) {
    if (!localStore) {
      return List.of();
    }
    return others.values().stream().filter(o -> !o.store().equals(self.store())).toList();
  }

  /** The number of other instances on the database at the last check, once checked. */
  public Optional<Integer> others() {
    Map<String, ThisInstance> last = seen;
    return last == null ? Optional.empty() : Optional.of(last.size());
  }

  static String warning(int apart) {
    return (apart == 1 ? "1 other instance uses" : apart + " other instances use")
        + " this database but not this instance's local object store: a task's result and"
        + " output stay with the instance that ran it, out of the others' reach. Several"
        + " instances need a shared object store: S3 (batch-executor.storage.type=s3), or one"
        + " directory that all of them mount as <cache_dir>/objects.";
  }

  @Override
  public Health health() {
    Health.Builder health = Health.up().withDetail("object_store", localStore ? "local" : "s3");
    Map<String, ThisInstance> last = seen;
    if (last != null) {
      health.withDetail("other_instances", last.size());
      List<ThisInstance> apart = apart(last);
      if (localStore) {
        health.withDetail("other_instances_without_this_object_store", apart.size());
      }
      if (!apart.isEmpty()) {
        health.withDetail("warning", warning(apart.size()));
      }
    }
    return health.build();
  }
}
