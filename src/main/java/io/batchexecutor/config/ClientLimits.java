package io.batchexecutor.config;

/**
 * What one client may hold of an instance at once, how much it may submit, and how fast. A limit of
 * 0 (where a setting allows it) is no limit; the submission limits not given are the defaults.
 */
public interface ClientLimits {

  /** Unset in a client's entry and in client-defaults: followed outputs at once. */
  int DEFAULT_MAX_FOLLOWS = 20;

  /** Unset in a client's entry and in client-defaults: held answers ({@code ?wait=}) at once. */
  int DEFAULT_MAX_HELD_WAITS = 100;

  /** Unset in a client's entry and in client-defaults: unfinished tasks at once. */
  int DEFAULT_MAX_UNFINISHED_TASKS = 10_000;

  /** Unset in a client's entry and in client-defaults: submissions a second on an instance. */
  double DEFAULT_SUBMISSIONS_PER_SECOND = 100;

  /** Unset in a client's entry and in client-defaults: submissions at once on an instance. */
  int DEFAULT_SUBMISSION_BURST = 1000;

  /** Unset in a client's entry and in client-defaults: runs one submission may ask for. */
  int DEFAULT_MAX_RUNS_PER_REQUEST = 100_000;

  /** How many outputs ({@code /logs?follow=true}) {@code client} may follow at once. */
  int maxFollows(String client);

  /** How many answers ({@code ?wait=}) {@code client} may have held at once. */
  int maxHeldWaits(String client);

  /** How many tasks of {@code client} may be unfinished at once; 0: no limit. */
  default int maxUnfinishedTasks(String client) {
    return DEFAULT_MAX_UNFINISHED_TASKS;
  }

  /** How many submissions a second {@code client} may make on an instance; 0: no limit. */
  default double submissionsPerSecond(String client) {
    return DEFAULT_SUBMISSIONS_PER_SECOND;
  }

  /** How many submissions {@code client} may make at once on an instance (the bucket's size). */
  default int submissionBurst(String client) {
    return DEFAULT_SUBMISSION_BURST;
  }

  /** How many runs one submission of {@code client} may ask for; 0: no limit of its own. */
  default int maxRunsPerRequest(String client) {
    return DEFAULT_MAX_RUNS_PER_REQUEST;
  }
}
