package io.batchexecutor.backend.local;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Info;
import io.batchexecutor.task.Task;
import java.time.Instant;
import java.util.List;

/**
 * What the local engine is, as far as its containers' limits and files depend on it: its CPUs and
 * whether it maps containers' users to other users on the host (user namespaces), asked once, on
 * first use.
 */
class EngineFacts {

  private final DockerClient docker;

  private volatile Known known;

  /** The engine's answers: its CPUs (at least 1) and whether it remaps users. */
  private record Known(int cpus, boolean remapsUsers) {}

  EngineFacts(DockerClient docker) {
    this.docker = docker;
  }

  private Known known() {
    Known facts = known;
    if (facts == null) {
      Info info = LocalContainers.call(() -> docker.infoCmd().exec());
      Integer reported = info.getNCPU();
      List<String> options = info.getSecurityOptions();
      boolean userns = options != null && options.stream().anyMatch(o -> o.contains("name=userns"));
      facts = new Known(reported == null || reported < 1 ? Integer.MAX_VALUE : reported, userns);
      known = facts;
    }
    return facts;
  }

  /** Whether a container's uid is another on the host (the engine runs with user namespaces). */
  boolean remapsUsers() {
    return known().remapsUsers();
  }

  /**
   * The CPUs a container of {@code task} gets: its {@code vcpu}, but no more than the engine has
   * (the engine refuses a larger limit, and on one machine more cannot be had anyway).
   */
  double cpus(Task task) {
    return Math.min(task.settings().vcpu(), known().cpus());
  }

  /** Records a {@code LIMITED} event when {@code task} asks for more CPUs than the engine has. */
  void recordCpuLimit(Task task, Instant at) {
    double asked = task.settings().vcpu();
    int engine = known().cpus();
    if (asked > engine) {
      task.limited(
          "vcpu "
              + (asked == Math.rint(asked) ? Long.toString((long) asked) : Double.toString(asked))
              + " is more than the local engine's "
              + engine
              + " CPUs; each container gets "
              + engine,
          at);
    }
  }

  /** Why a container the engine killed for exceeding the task's memory limit ended. */
  static String outOfMemory(Task task) {
    return "out of memory: the container exceeded its limit of "
        + task.settings().memoryMib()
        + " MiB";
  }
}
