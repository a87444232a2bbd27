package io.batchexecutor.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A parameter sweep: {@code {"C": [0.1, 1, 10], "gamma": [0.1, 0.7]}} runs the function once per
 * combination of the values (their product), each combination added to the task's kwargs.
 *
 * <p>The order of the runs is defined here and nowhere else in the service: combinations are
 * numbered in the order the names were given, the last name varying fastest, so run {@code i} is a
 * mixed-radix number whose digits, last name least significant, index each name's list. The runner
 * ({@code runner.py}, {@code sweep_combination}) computes the same combination from the same axes:
 * run {@code i} is what the {@code AWS_BATCH_JOB_ARRAY_INDEX} of an array job's child, or the local
 * backend's {@code BATCH_EXECUTOR_SWEEP_INDEX}, names. Nothing expands the whole product: a run's
 * combination is computed from the axes when it is needed, so what is stored and sent stays the
 * size of the request.
 */
public final class Sweep {

  /** The most combinations one sweep may have (AWS Batch's largest array job). */
  public static final int MAX_COMBINATIONS = 10_000;

  /**
   * The rule {@code payload.json} names the axes under ({@code "sweep": {"product": axes}}); a
   * payload whose {@code "sweep"} is a list holds every combination, the form of payloads written
   * for tasks accepted before the axes were sent.
   */
  public static final String PRODUCT = "product";

  private Sweep() {}

  /**
   * How many runs {@code sweep} has, computed from the lengths of its lists; {@code Long.MAX_VALUE}
   * past any sensible size.
   */
  public static long runCount(JsonNode sweep) {
    long size = 1;
    for (Map.Entry<String, JsonNode> e : sweep.properties()) {
      size *= e.getValue().size(); // each list is bounded by the request size: no overflow
      if (size > Integer.MAX_VALUE) {
        return Long.MAX_VALUE;
      }
    }
    return size;
  }

  /** The same as {@link #runCount}. */
  public static long size(JsonNode sweep) {
    return runCount(sweep);
  }

  /**
   * The combination run {@code index} computes: for each name, in the order given, the value its
   * digit picks, the last name's digit being {@code index} modulo its list's length.
   *
   * @throws IndexOutOfBoundsException when {@code index} is not a run of {@code sweep}
   */
  public static ObjectNode combination(JsonNode sweep, long index) {
    long runs = runCount(sweep);
    if (index < 0 || index >= runs) {
      throw new IndexOutOfBoundsException(
          "run " + index + " of a sweep of " + runs + " runs (0 to " + (runs - 1) + ")");
    }
    List<Map.Entry<String, JsonNode>> axes = new ArrayList<>();
    sweep.properties().forEach(axes::add);
    JsonNode[] picked = new JsonNode[axes.size()];
    long rest = index;
    for (int a = axes.size() - 1; a >= 0; a--) {
      JsonNode values = axes.get(a).getValue();
      picked[a] = values.get((int) (rest % values.size()));
      rest /= values.size();
    }
    ObjectNode combination = JsonNodeFactory.instance.objectNode();
    for (int a = 0; a < axes.size(); a++) {
      combination.set(axes.get(a).getKey(), picked[a].deepCopy());
    }
    return combination;
  }

  /**
   * What {@code payload.json} carries of {@code sweep}: its axes under the rule that combines them.
   */
  public static ObjectNode payload(JsonNode sweep) {
    ObjectNode payload = JsonNodeFactory.instance.objectNode();
    payload.set(PRODUCT, sweep.deepCopy());
    return payload;
  }

  /**
   * Every combination, in run order: the form {@code payload.json} had before it carried the axes,
   * still written for the tasks accepted then (their image or staged payload, and the digest the
   * runner checks, were made from it). Its size is the number of runs times a combination's.
   */
  public static ArrayNode expanded(JsonNode sweep) {
    ArrayNode combinations = JsonNodeFactory.instance.arrayNode();
    long runs = runCount(sweep);
    for (long i = 0; i < runs; i++) {
      combinations.add(combination(sweep, i));
    }
    return combinations;
  }
}
