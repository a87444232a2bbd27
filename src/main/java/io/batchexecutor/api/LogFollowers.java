package io.batchexecutor.api;

import io.batchexecutor.backend.LogChunk;
import io.batchexecutor.backend.LogPosition;
import io.batchexecutor.backend.TaskLogs;
import io.batchexecutor.config.ClientLimits;
import io.batchexecutor.support.Periodic;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskNotifications;
import io.batchexecutor.task.TaskQueries;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;

/**
 * {@code GET /logs?follow=true}: what a task prints, sent as it comes, in one response that ends
 * when the task has ended. One timer serves every follower (no thread each): as often as the
 * backend allows (once a second locally, every five seconds from CloudWatch Logs) it reads what
 * each followed task printed after the position its follower keeps ({@link TaskLogs#liveLogsAfter}:
 * only the new part, where the backend can) and sends it; the task's end wakes it at once ({@link
 * TaskNotifications}).
 *
 * <p>Once the task has ended and its output is no longer read where it ran, the rest comes from the
 * stored output. The follower knows how many characters of the output it read last it sent, and a
 * fingerprint of them ({@link LogPosition#rest}): when the stored output begins with them, what
 * follows them is sent; when it is another attempt's output, all of it is. So the switch neither
 * repeats nor loses text, also when the last reads were a second or more before the end. A run of a
 * sweep whose output is stored before the whole task ends is sent to its end then, and the response
 * ends with the task.
 */
@Component
class LogFollowers implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(LogFollowers.class);
  static final Duration TICK = Duration.ofSeconds(1);

  /** How long one response follows at most; a client that wants more asks again. */
  static final Duration LONGEST = Duration.ofHours(1);

  /** How many responses one instance follows at once. */
  static final int MAX_FOLLOWERS = 200;

  private final class Follower {
    final String owner;
    final UUID taskId;
    final Integer index;
    final Instant until;
    final ResponseBodyEmitter emitter;
    LogPosition position = LogPosition.START;
    boolean stored; // the stored output was sent: nothing more is read
    volatile Instant nextRead = Instant.MIN;

    Follower(String owner, UUID taskId, Integer index, Instant until, ResponseBodyEmitter emitter) {
      this.owner = owner;
      this.taskId = taskId;
      this.index = index;
      this.until = until;
      this.emitter = emitter;
    }

    /** Sends what is new; true when this response is done. */
    boolean advance(Instant now) throws IOException {
      if (now.isBefore(nextRead)) {
        return false;
      }
      Optional<Task> task;
      try {
        task = tasks.find(taskId);
      } catch (DataAccessException databaseUnavailable) {
        return !now.isBefore(until); // tried again next tick
      }
      if (task.isEmpty()) {
        return true; // deleted meanwhile
      }
      boolean ended = task.get().status().isFinal();
      nextRead = now.plus(logs.logReadInterval(task.get()));
      boolean caughtUp = true;
      if (!stored) {
        Optional<LogChunk> live;
        try {
          live = logs.liveLogsAfter(task.get(), index, position);
        } catch (ProblemException backendUnavailable) {
          return !now.isBefore(until); // tried again next tick
        }
        if (live.isPresent()) {
          send(live.get());
          caughtUp = live.get().caughtUp();
        } else if (ended || index != null) {
          Optional<String> output = logs.storedLogs(task.get(), index);
          if (output.isPresent()) {
            send(position.rest(output.get()));
            stored = true;
          }
        }
      }
      return (ended && caughtUp) || !now.isBefore(until);
    }

    private void send(LogChunk chunk) throws IOException {
      if (!chunk.text().isEmpty()) {
        emitter.send(chunk.text(), TaskLogReader.TEXT);
      }
      position = chunk.next();
    }
  }

  private final TaskQueries tasks;
  private final TaskLogReader logs;
  private final Clock clock;
  private final Set<Follower> followers = ConcurrentHashMap.newKeySet();
  private final ClientLimits limits;
  private final Periodic timer;

  LogFollowers(
      TaskQueries tasks,
      TaskLogReader logs,
      TaskNotifications notifications,
      Clock clock,
      TaskScheduler scheduler,
      ClientLimits limits) {
    this.timer = new Periodic(scheduler, "log-followers", this::tick, TICK, TICK);
    this.limits = limits;
    this.tasks = tasks;
    this.logs = logs;
    this.clock = clock;
    // the end of a followed task wakes its followers: they send the rest and close at once
    notifications.subscribe(
        new TaskNotifications.Subscriber() {
          @Override
          public void ended(UUID task, UUID workflow) {
            boolean followed = false;
            for (Follower f : followers) {
              if (f.taskId.equals(task)) {
                f.nextRead = Instant.MIN;
                followed = true;
              }
            }
            if (followed) {
              timer.runSoon();
            }
          }
        });
  }

  /** A response that follows {@code task}'s output (or run {@code index}'s) until it ends. */
  synchronized ResponseBodyEmitter follow(Task task, Integer index) {
    TaskOutputs.checkRun(task, index);
    int most = limits.maxFollows(task.owner());
    if (followers.stream().filter(f -> f.owner.equals(task.owner())).count() >= most) {
      ProblemException mine =
          new ProblemException(
              HttpStatus.TOO_MANY_REQUESTS,
              Problems.TOO_MANY_FOLLOWERS,
              "Too many followers",
              "this client follows "
                  + most
                  + " outputs on this instance already (batch-executor.clients.<name>.max-follows);"
                  + " end one, or read /logs without follow");
      mine.getHeaders().set(HttpHeaders.RETRY_AFTER, "10");
      throw mine;
    }
    if (followers.size() >= MAX_FOLLOWERS) {
      ProblemException busy =
          new ProblemException(
              HttpStatus.SERVICE_UNAVAILABLE,
              Problems.TOO_MANY_FOLLOWERS,
              "Too many followers",
              "this instance follows "
                  + MAX_FOLLOWERS
                  + " outputs already; try again, or read /logs without follow");
      busy.getHeaders().set(HttpHeaders.RETRY_AFTER, "10");
      throw busy;
    }
    // the container's own timeout is a backstop only, after the timer's limit
    ResponseBodyEmitter emitter = new ResponseBodyEmitter(LONGEST.plusMinutes(1).toMillis());
    Follower follower =
        new Follower(task.owner(), task.id(), index, clock.instant().plus(LONGEST), emitter);
    emitter.onCompletion(() -> followers.remove(follower));
    emitter.onTimeout(emitter::complete);
    emitter.onError(e -> followers.remove(follower));
    followers.add(follower);
    return emitter;
  }

  /** How many outputs {@code owner} follows on this instance now. */
  int followedBy(String owner) {
    return (int) followers.stream().filter(f -> f.owner.equals(owner)).count();
  }

  void tick() {
    Instant now = clock.instant();
    for (Follower f : List.copyOf(followers)) {
      try {
        if (f.advance(now)) {
          followers.remove(f);
          f.emitter.complete();
        }
      } catch (IOException | RuntimeException e) {
        // the client went away, or reading failed otherwise: this response ends
        log.debug("Following the output of task {} ended: {}", f.taskId, e.getMessage());
        followers.remove(f);
        f.emitter.completeWithError(e);
      }
    }
  }

  @Override
  public void start() {
    timer.start();
  }

  /** A stopping instance ends every followed response; the client can ask the next instance. */
  @Override
  public void stop() {
    timer.stop();
    for (Follower f : List.copyOf(followers)) {
      followers.remove(f);
      f.emitter.complete();
    }
  }

  @Override
  public boolean isRunning() {
    return timer.isRunning();
  }
}
