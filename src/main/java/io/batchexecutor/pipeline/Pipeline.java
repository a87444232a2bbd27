package io.batchexecutor.pipeline;

import io.batchexecutor.backend.BackOff;
import io.batchexecutor.backend.ComputeBackend;
import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.support.Periodic;
import io.batchexecutor.task.HeldTasks;
import io.batchexecutor.task.TaskAccepted;
import io.batchexecutor.task.TaskNotifications;
import io.batchexecutor.task.TaskQueries;
import io.batchexecutor.task.TaskRepository;
import io.batchexecutor.task.WatchedTasks;
import io.batchexecutor.task.WorkQueue;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.TaskScheduler;

/**
 * The background pipeline of this instance: the claim loop, its workers, the lease heartbeat, the
 * reaper of expired leases, and the NOTIFY listener, each a small class of its own, started and
 * stopped with the application. On a graceful stop the instance gives back the leases it holds, so
 * another instance picks the work up at once.
 */
public class Pipeline implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(Pipeline.class);

  private final TaskRepository tasks;
  private final HeldTasks held;
  private final WorkQueue queue;
  private final TaskQueries queries;
  private final List<ComputeBackend> backends;
  private final TaskNotifications notifications;
  private final BatchExecutorProperties.Pipeline settings;
  private final Clock clock;
  private final String leaseOwner;
  private final WakeUp wakeUp = new WakeUp();
  private final InFlightTasks inFlight = new InFlightTasks();
  private final MeterRegistry meters;

  private ExecutorService workers;
  private final TaskScheduler scheduler;
  private final List<Periodic> housekeeping = new ArrayList<>();
  private RunUntilShutdown claimLoop;
  private ListenForWork listener;
  private volatile boolean running;

  public Pipeline(
      TaskRepository tasks,
      HeldTasks held,
      WorkQueue queue,
      TaskQueries queries,
      List<ComputeBackend> backends,
      TaskNotifications notifications,
      BatchExecutorProperties.Pipeline settings,
      Clock clock,
      MeterRegistry meters,
      TaskScheduler scheduler,
      String leaseOwner) {
    this.scheduler = scheduler;
    this.meters = meters;
    Gauge.builder("batch.executor.pipeline.inflight", inFlight, InFlightTasks::size)
        .description("Tasks this instance works on now")
        .register(meters);
    this.tasks = tasks;
    this.held = held;
    this.queue = queue;
    this.queries = queries;
    this.backends = List.copyOf(backends);
    this.notifications = notifications;
    this.settings = settings;
    this.clock = clock;
    this.leaseOwner = leaseOwner;
  }

  /** This instance's name in leases (see {@code ThisInstance.leaseOwner}). */
  public String leaseOwner() {
    return leaseOwner;
  }

  /** The compute backends whose tasks this instance runs. */
  public List<ComputeBackend> backends() {
    return backends;
  }

  /** Whether the NOTIFY listener is connected (health shows it). */
  public boolean listening() {
    return listener != null && notifications.listening();
  }

  @EventListener
  void onTaskAccepted(TaskAccepted event) {
    wakeUp.signal();
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    Map<String, ExecutePicked> byBackend = new LinkedHashMap<>();
    for (ComputeBackend backend : backends) {
      byBackend.put(
          backend.name(),
          new ExecutePicked(
              tasks,
              held,
              queue,
              backend,
              clock,
              leaseOwner,
              BackOff.of(settings),
              meters,
              wakeUp));
    }
    List<WatchedTasks> watched =
        backends.stream()
            .map(ComputeBackend::watched)
            .filter(w -> !w.statuses().isEmpty())
            .toList();
    if (watched.size() > 1) {
      throw new IllegalStateException(
          "more than one backend has a poller of its own: " + watched + "; the claim leaves one");
    }
    workers = Executors.newFixedThreadPool(settings.workers(), named("task-worker"));
    claimLoop =
        new RunUntilShutdown(
            queue,
            new ExecuteOnItsBackend(byBackend, queue, clock, leaseOwner),
            inFlight,
            wakeUp,
            workers,
            settings,
            clock,
            leaseOwner,
            List.copyOf(byBackend.keySet()),
            watched.isEmpty() ? WatchedTasks.none(backends.get(0).name()) : watched.get(0));
    listener = new ListenForWork(wakeUp, inFlight);
    notifications.subscribe(listener);
    named("task-claim").newThread(claimLoop).start();
    Duration beat = settings.heartbeatInterval();
    housekeeping.add(
        new Periodic(
            scheduler,
            "lease-renewal",
            new RenewLeases(queue, queries, inFlight, clock, settings.leaseDuration(), leaseOwner),
            beat,
            beat));
    Duration reap = settings.reaperInterval();
    housekeeping.add(
        new Periodic(
            scheduler, "lease-reaper", new ReapExpiredLeases(queue, clock, wakeUp), reap, reap));
    housekeeping.forEach(Periodic::start);
    running = true;
    log.info(
        "Pipeline {} started: backends {}, {} workers",
        leaseOwner,
        String.join(",", byBackend.keySet()),
        settings.workers());
  }

  @Override
  public synchronized void stop() {
    if (!running) {
      return;
    }
    running = false;
    claimLoop.stop();
    notifications.unsubscribe(listener);
    workers.shutdownNow();
    housekeeping.forEach(Periodic::stop);
    housekeeping.clear();
    try {
      if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
        log.warn("Some task workers did not stop within 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      int released = queue.releaseAll(leaseOwner, clock.instant());
      log.info("Pipeline {} stopped; gave back {} leases", leaseOwner, released);
    } catch (RuntimeException e) {
      log.warn("Could not give back leases on stop; they will expire: {}", e.getMessage());
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    // stop before the web server and the data source, start after them
    return SmartLifecycle.DEFAULT_PHASE - 1024;
  }

  private static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
