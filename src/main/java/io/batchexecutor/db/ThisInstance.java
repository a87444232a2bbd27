package io.batchexecutor.db;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.util.Optional;
import java.util.UUID;

/**
 * How this instance names itself to the database: every connection it opens carries the JDBC {@code
 * ApplicationName} {@code batch-executor/<store>/<key>/<host>-<pid>}, so that any instance can see
 * in {@code pg_stat_activity} which others are connected to the same database, and whether they
 * write to the same object store.
 *
 * @param store what the object store new results go to is ({@code s3}, or {@code local-<id>} of the
 *     local store's directory)
 * @param key a random part that tells instances apart, even two in one process
 * @param label host and process id, for whoever reads {@code pg_stat_activity}
 */
public record ThisInstance(String store, String key, String label) {

  static final String PREFIX = "batch-executor/";

  /** PostgreSQL keeps 63 bytes of an application name; the label is what gets cut. */
  static final int MAX_LENGTH = 63;

  /** This process's instance, writing to {@code store}. */
  public static ThisInstance of(String store) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = "unknown-host";
    }
    return new ThisInstance(
        store,
        UUID.randomUUID().toString().substring(0, 8),
        host + "-" + ManagementFactory.getRuntimeMXBean().getPid());
  }

  /**
   * This instance's name in the leases it holds ({@code <host>-<pid>-<key>}): the pipeline's claims
   * are under it, and those of the instance's other parts under {@link #leaseOwner(String)}, so
   * that a graceful stop gives all of them back at once.
   */
  public String leaseOwner() {
    return label + "-" + key;
  }

  /**
   * The name in leases of one part of this instance ({@code <leaseOwner>/<part>}, e.g. a backend's
   * poller): its own, so that it can never give back a lease the pipeline holds, and released with
   * the instance's on a graceful stop.
   */
  public String leaseOwner(String part) {
    return leaseOwner() + "/" + part;
  }

  /** The application name of this instance's connections. */
  public String applicationName() {
    String name = PREFIX + store + "/" + key + "/" + label;
    return name.length() <= MAX_LENGTH ? name : name.substring(0, MAX_LENGTH);
  }

  /** The instance an application name names, if it is one of ours. */
  static Optional<ThisInstance> parse(String applicationName) {
    if (applicationName == null || !applicationName.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String[] parts = applicationName.substring(PREFIX.length()).split("/", 3);
    if (parts.length < 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new ThisInstance(parts[0], parts[1], parts.length > 2 ? parts[2] : ""));
  }
}
