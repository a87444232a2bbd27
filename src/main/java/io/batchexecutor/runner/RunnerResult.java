package io.batchexecutor.runner;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A {@code result.json} as the runner wrote it, parsed once. One of: the function returned a value
 * JSON carries ({@code {"ok": true, "value": ...}}), one it could not ({@code {"ok": true,
 * "pickled": true|false, "type", "repr", ...}}), a sub-workflow ({@code {"ok": true, "workflow":
 * {...}}}), or it raised / the runner refused ({@code {"ok": false, "error": {type, message,
 * traceback}}}).
 *
 * @param document the whole document as read
 */
public record RunnerResult(JsonNode document) {

  /** The document in {@code bytes}. */
  public static RunnerResult parse(JsonMapper json, byte[] bytes) {
    return new RunnerResult(json.readTree(bytes));
  }

  /** Whether the function returned (a value, a pickle or a sub-workflow). */
  public boolean returned() {
    return document.path("ok").asBoolean(false);
  }

  /** Whether the document carries the function's exception or the runner's refusal. */
  public boolean raised() {
    return document.has("error");
  }

  /** Whether the runner refused its payload or an input ({@link RunnerContract#REFUSALS}). */
  public boolean refused() {
    return raised() && RunnerContract.REFUSALS.contains(errorType());
  }

  /** Whether the value travels as {@code result.pickle} beside the document. */
  public boolean pickled() {
    return document.path("pickled").asBoolean(false);
  }

  /** Whether the value is in the document, as JSON. */
  public boolean hasValue() {
    return document.has("value");
  }

  /** The value, when {@link #hasValue}. */
  public JsonNode value() {
    return document.get("value");
  }

  /** Whether the function returned a sub-workflow. */
  public boolean isWorkflow() {
    return returned() && document.path(RunnerContract.WORKFLOW_KEY).isObject();
  }

  /** The sub-workflow the function returned, when {@link #isWorkflow}. */
  public JsonNode workflow() {
    return document.get(RunnerContract.WORKFLOW_KEY);
  }

  /** The error object, when {@link #raised}. */
  public JsonNode error() {
    return document.path("error");
  }

  public String errorType() {
    return error().path("type").asString();
  }

  public String errorMessage() {
    return error().path("message").asString();
  }

  public String errorTraceback() {
    return error().path("traceback").asString();
  }

  /** The described type of a value JSON cannot carry. */
  public String type() {
    return document.path("type").asString();
  }

  /** The described repr of a value JSON cannot carry. */
  public String repr() {
    return document.path("repr").asString();
  }
}
