package io.batchexecutor.backend.local;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import io.batchexecutor.backend.local.LocalContainers.SweepRun;
import io.batchexecutor.task.Task;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The task containers the engine has, found by their labels or name, stopped ones included. */
class ContainerList {

  private final DockerClient docker;

  ContainerList(DockerClient docker) {
    this.docker = docker;
  }

  /**
   * The containers of the task's sweep runs, by run index, the latest attempt first: one call to
   * the engine however many runs and attempts there are.
   */
  Map<Integer, List<SweepRun>> sweepRuns(Task task) {
    Map<Integer, List<SweepRun>> runs = new HashMap<>();
    for (Container c : labelled(Map.of(LaunchSpecification.TASK_LABEL, task.id().toString()))) {
      String index = c.getLabels().get(LaunchSpecification.SWEEP_INDEX_LABEL);
      String attempt = c.getLabels().get(LaunchSpecification.ATTEMPT_LABEL);
      if (index != null && attempt != null) {
        runs.computeIfAbsent(Integer.valueOf(index), i -> new ArrayList<>())
            .add(new SweepRun(c.getId(), Integer.parseInt(attempt)));
      }
    }
    runs.values().forEach(l -> l.sort(Comparator.comparingInt(SweepRun::attempt).reversed()));
    return runs;
  }

  /** Every container labelled with a task, of any task. */
  List<Container> ofAnyTask() {
    return LocalContainers.call(
        () ->
            docker
                .listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(List.of(LaunchSpecification.TASK_LABEL))
                .exec());
  }

  /** Every container of the task, of any attempt. */
  List<String> of(Task task) {
    return labelled(Map.of(LaunchSpecification.TASK_LABEL, task.id().toString())).stream()
        .map(Container::getId)
        .toList();
  }

  /** The container named {@code name}. */
  Optional<String> idOf(String name) {
    return LocalContainers.call(
        () ->
            docker
                .listContainersCmd()
                .withShowAll(true)
                .withNameFilter(List.of(name))
                .exec()
                .stream()
                .filter(c -> c.getNames() != null && List.of(c.getNames()).contains("/" + name))
                .map(Container::getId)
                .findFirst());
  }

  private List<Container> labelled(Map<String, String> labels) {
    return LocalContainers.call(
        () -> docker.listContainersCmd().withShowAll(true).withLabelFilter(labels).exec());
  }
}
