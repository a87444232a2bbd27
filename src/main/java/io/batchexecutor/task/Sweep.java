package io.batchexecutor.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A parameter sweep: {@code {"C": [0.1, 1, 10], "gamma": [0.1, 0.7]}} runs the function once per
 * combination of the values, each combination added to the task's kwargs. Combinations are numbered
 * in the order the names were given, the last name varying fastest: index {@code i} is what run
 * {@code i} (the {@code AWS_BATCH_JOB_ARRAY_INDEX} of an array job's child) computes.
 */
public final class Sweep {

  /** The most combinations one sweep may have (AWS Batch's largest array job). */
  public static final int MAX_COMBINATIONS = 10_000;

  private Sweep() {}

  /** How many combinations {@code sweep} has; {@code Long.MAX_VALUE} past any sensible size. */
  public static long size(JsonNode sweep) {
    long size = 1;
    for (Map.Entry<String, JsonNode> e : sweep.properties()) {
      size *= e.getValue().size(); // each list is bounded by the request size: no overflow
      if (size > Integer.MAX_VALUE) {
        return Long.MAX_VALUE;
      }
    }
    return size;
  }

  /** Every combination, in index order. */
  public static List<ObjectNode> combinations(JsonNode sweep) {
    List<ObjectNode> combinations = new ArrayList<>();
    combinations.add(JsonNodeFactory.instance.objectNode());
    for (Map.Entry<String, JsonNode> e : sweep.properties()) {
      List<ObjectNode> next = new ArrayList<>();
      for (ObjectNode partial : combinations) {
        for (JsonNode value : e.getValue()) {
          ObjectNode combination = partial.deepCopy();
          combination.set(e.getKey(), value);
          next.add(combination);
        }
      }
      combinations = next;
    }
    return combinations;
  }
}
