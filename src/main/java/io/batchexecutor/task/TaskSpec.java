package io.batchexecutor.task;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.batchexecutor.config.PayloadMode;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * What the client asked to run, stored as it was accepted.
 *
 * @param function the Python function
 * @param args positional arguments (a JSON array)
 * @param kwargs keyword arguments (a JSON object)
 * @param image how to build the task's image; {@code null} for the configured default
 * @param sweep for a parameter sweep, keyword argument names to lists of values: the function runs
 *     once per combination (see {@link Sweep}); {@code null} for one run
 * @param sweepPayload how a sweep's {@code payload.json} carries it, decided at acceptance and kept
 *     in a column of its own ({@code sweep_payload}), not in the spec's JSON: {@link #SWEEP_AXES}
 *     (the axes; each run computes its combination); {@code null} for a sweep accepted before (or
 *     by an instance of an earlier version), whose payload lists every combination — its image,
 *     staged payload and the digest the runner checks were made from that form, so it keeps it
 * @param files the files placed in the task's container before its function runs and taken from it
 *     after ({@link FileTransfer}); {@code null} or empty for none
 */
public record TaskSpec(
    FunctionSpec function,
    JsonNode args,
    JsonNode kwargs,
    ImageSpec image,
    JsonNode sweep,
    @JsonIgnore String sweepPayload,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<FileTransfer> files) {

  /** The payload carries the sweep's axes. */
  public static final String SWEEP_AXES = "axes";

  /** A task without a sweep. */
  public TaskSpec(FunctionSpec function, JsonNode args, JsonNode kwargs, ImageSpec image) {
    this(function, args, kwargs, image, null);
  }

  /** A task as requested: how its payload carries a sweep is decided when it is stored. */
  public TaskSpec(
      FunctionSpec function, JsonNode args, JsonNode kwargs, ImageSpec image, JsonNode sweep) {
    this(function, args, kwargs, image, sweep, null, null);
  }

  /** A task without file transfers. */
  public TaskSpec(
      FunctionSpec function,
      JsonNode args,
      JsonNode kwargs,
      ImageSpec image,
      JsonNode sweep,
      String sweepPayload) {
    this(function, args, kwargs, image, sweep, sweepPayload, null);
  }

  /** The same spec, its sweep's payload carried as {@code sweepPayload} says. */
  public TaskSpec withSweepPayload(String sweepPayload) {
    return new TaskSpec(function, args, kwargs, image, sweep, sweepPayload, files);
  }

  /** The same spec with {@code files}, the file transfers of its request. */
  public TaskSpec withFiles(List<FileTransfer> files) {
    return new TaskSpec(function, args, kwargs, image, sweep, sweepPayload, files);
  }

  /** Whether the task names file transfers. */
  public boolean hasFiles() {
    return files != null && !files.isEmpty();
  }

  /** Whether the payload lists every combination rather than the axes (a sweep accepted before). */
  public boolean sweepPayloadExpanded() {
    return hasSweep() && !SWEEP_AXES.equals(sweepPayload);
  }

  /** Whether the task is a parameter sweep. */
  public boolean hasSweep() {
    return sweep != null && !sweep.isNull();
  }

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
   * @param requirements pip requirements installed into the image: packages by name (PEP 508 name,
   *     extras, version specifiers, marker), from the index the service is configured with
   * @param payload how the call reaches the image: {@code staged} (the image is the environment and
   *     the call travels beside it) or {@code baked} (the call is built into an image of its own);
   *     {@code null} as sent for the configured default, which acceptance fills in
   */
  public record ImageSpec(
      String baseImage,
      List<String> requirements,
      @JsonInclude(JsonInclude.Include.NON_NULL) String payload) {

    /** Only what the image is built from; the payload mode left to the default. */
    public ImageSpec(String baseImage, List<String> requirements) {
      this(baseImage, requirements, null);
    }

    /** The same image with {@code mode} as its payload mode. */
    public ImageSpec withPayload(String mode) {
      return new ImageSpec(baseImage, requirements, mode);
    }
  }

  /** The payload mode that acceptance stored; a task stored without one ran baked. */
  public PayloadMode payloadMode() {
    return image == null || image.payload() == null
        ? PayloadMode.BAKED
        : PayloadMode.of(image.payload()).orElse(PayloadMode.BAKED);
  }
}
