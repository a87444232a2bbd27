package io.batchexecutor.task;

import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * What the client asked to run, stored as it was accepted.
 *
 * @param function the Python function
 * @param args positional arguments (a JSON array)
 * @param kwargs keyword arguments (a JSON object)
 * @param image how to build the task's image; {@code null} for the configured default
 */
public record TaskSpec(FunctionSpec function, JsonNode args, JsonNode kwargs, ImageSpec image) {

  /**
   * A Python function given by its source.
   *
   * @param source the module source that defines the function
   * @param name the function to call
   */
  public record FunctionSpec(String source, String name) {}

  /**
   * The image a task runs in.
   *
   * @param baseImage the image to build on
   * @param requirements pip requirements installed into the image
   */
  public record ImageSpec(String baseImage, List<String> requirements) {}
}
