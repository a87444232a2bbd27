package io.batchexecutor.task;

import io.batchexecutor.config.ClientLimits;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.springframework.stereotype.Component;

/**
 * A client's limits on what it submits, applied by {@link SubmitTask} and the workflow's
 * submission: its rate on this instance ({@link SubmissionRate}), the runs one request may ask for,
 * and (with the insert, see {@link UnfinishedTasks}) how many of its tasks may be unfinished. An
 * idempotent replay (an Idempotency-Key the client used before) is never refused by any of them and
 * costs no token: when a limit would refuse a request with a key, the key is looked up first.
 */
@Component
public class SubmissionLimits {

  private final ClientLimits limits;
  private final SubmissionRate rate;

  public SubmissionLimits(ClientLimits limits, SubmissionRate rate) {
    this.limits = limits;
    this.rate = rate;
  }

  /** One submission let in: a replay found later gives back its token. */
  public final class Admission {
    private final String client;
    private boolean tokenTaken;

    private Admission(String client, boolean tokenTaken) {
      this.client = client;
      this.tokenTaken = tokenTaken;
    }

    /** The submission was a replay of an earlier one: it costs nothing. */
    public void replayed() {
      if (tokenTaken) {
        tokenTaken = false;
        rate.giveBack(client);
      }
    }
  }

  /**
   * Takes a token of {@code client}'s for one submission, first of all; refused (429 {@code
   * too-many-submissions}) when it has none on this instance, unless {@code replay} says the
   * request repeats an earlier one.
   */
  public Admission admit(String client, BooleanSupplier replay) {
    Optional<Duration> wait = rate.take(client);
    if (wait.isPresent() && !replay.getAsBoolean()) {
      throw SubmissionRefusedException.tooManySubmissions(
          limits.submissionsPerSecond(client), limits.submissionBurst(client), wait.get());
    }
    return new Admission(client, wait.isEmpty());
  }

  /**
   * Refuses (400 {@code too-many-runs}) a request whose {@code runs} pass {@code client}'s
   * max-runs-per-request, unless {@code replay} says it repeats an earlier one.
   */
  public void checkRuns(String client, long runs, BooleanSupplier replay) {
    int max = limits.maxRunsPerRequest(client);
    if (max > 0 && runs > max && !replay.getAsBoolean()) {
      throw SubmissionRefusedException.tooManyRuns(max, runs);
    }
  }

  /** How many tasks of {@code client} may be unfinished at once; 0: no limit. */
  public int maxUnfinishedTasks(String client) {
    return limits.maxUnfinishedTasks(client);
  }

  /** The runs of one task: its sweep's combinations, else one. */
  public static long runsOf(NewTask task) {
    TaskSpec spec = task == null ? null : task.spec();
    return spec != null && spec.hasSweep() ? Math.max(1, Sweep.size(spec.sweep())) : 1;
  }

  /** The runs of a workflow's tasks, summed (at most {@code Long.MAX_VALUE}). */
  public static long runsOf(Collection<NewTask> tasks) {
    long runs = 0;
    for (NewTask task : tasks) {
      long more = runsOf(task);
      runs = more > Long.MAX_VALUE - runs ? Long.MAX_VALUE : runs + more;
    }
    return runs;
  }
}
